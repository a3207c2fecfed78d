"""Clients (companies, individual entrepreneurs, people, state bodies) and their contacts.

The foundation keeps the fields every later feature reads; search, duplicates, import
and merge are built on top in their own modules.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, utcnow
from models.users import User


class ClientKind(StrEnum):
    COMPANY = "company"  # юрлицо
    ENTREPRENEUR = "entrepreneur"  # ИП
    PERSON = "person"  # физлицо
    STATE = "state"  # госорган


CLIENT_KIND_LABELS = {
    ClientKind.COMPANY: "Юрлицо",
    ClientKind.ENTREPRENEUR: "ИП",
    ClientKind.PERSON: "Физлицо",
    ClientKind.STATE: "Госорган",
}


class Client(Base):
    __tablename__ = "client"
    __audited__ = True
    __table_args__ = (
        Index("ix_client_inn_kpp", "inn", "kpp"),
        Index("ix_client_owner", "owner_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default=ClientKind.COMPANY.value)
    full_name: Mapped[str] = mapped_column(String(500))
    short_name: Mapped[str | None] = mapped_column(String(300))
    inn: Mapped[str | None] = mapped_column(String(12))
    kpp: Mapped[str | None] = mapped_column(String(9))
    ogrn: Mapped[str | None] = mapped_column(String(15), index=True)
    legal_address: Mapped[str | None] = mapped_column(Text)
    postal_address: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    industry: Mapped[str | None] = mapped_column(String(100))
    territory: Mapped[str | None] = mapped_column(String(100))
    segment: Mapped[str | None] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(30), default="active")
    source: Mapped[str | None] = mapped_column(String(100))
    notes: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Set when a registry check finds trouble (liquidation, bankruptcy, sanctions); deals show it.
    registry_flag: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    owner: Mapped[User | None] = relationship()
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="Contact.id"
    )

    @property
    def display_name(self) -> str:
        return self.short_name or self.full_name


class Contact(Base):
    __tablename__ = "contact"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(String(300))
    position: Mapped[str | None] = mapped_column(String(200))
    is_decision_maker: Mapped[bool] = mapped_column(Boolean, default=False)
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    client: Mapped[Client] = relationship(back_populates="contacts")
