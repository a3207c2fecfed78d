"""Clients (companies, individual entrepreneurs, people, state bodies) and their contacts.

The foundation keeps the fields every later feature reads; search, duplicates, import
and merge are built on top in their own ``models/client_*.py`` modules.

Phones and e-mails are stored normalised (``models.clients.phones``): the main one in ``phone`` /
``email``, further ones in ``extra_phones`` / ``extra_emails``. Every change of them is a
field change of the client or contact, so the audit log shows it; the search projection
(``models.clients.index``) is derived from these columns in the same transaction.
``search_name`` is derived from the names on assignment (``models.clients.names``).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Text,
    false,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from models.clients.names import search_name
from models.identity.users import User
from models.platform.db import Base, UTCDateTime, utcnow
from models.platform.registry import LabelIds


class ClientKind(StrEnum):
    """The four kinds of clients; each has its own required fields (``models.clients.validation``)."""

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

CLIENT_STATUSES = {
    "prospect": "Потенциальный",
    "active": "Активный",
    "inactive": "Неактивный",
    "archived": "Архив",
}

# Registry (ЕГРЮЛ) states after which a company should not get new business without a look.
REGISTRY_STATUS_LABELS = {
    "ACTIVE": "Действующая",
    "LIQUIDATING": "Ликвидируется",
    "LIQUIDATED": "Ликвидирована",
    "BANKRUPT": "Банкротство",
    "REORGANIZING": "Реорганизация",
}
REGISTRY_WARNING_STATUSES = frozenset({"LIQUIDATING", "LIQUIDATED", "BANKRUPT"})


def _trigram_index(name: str, column: str) -> Index:
    """A pg_trgm GIN index on PostgreSQL (fast «contains»); an empty one elsewhere.

    SQLite finds fragments through ``client_name_token``; there the index is partial with
    ``WHERE 0``, so it exists for the schema to match but costs nothing to maintain.
    """
    return Index(name, column, postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"},
                 sqlite_where=text("0"))


class Client(Base):
    """A client card: requisites, names, phones, e-mails, classification, owner, registry state."""

    __tablename__ = "client"
    __audited__ = True
    __audit_secret__ = frozenset({"passport_hash"})
    __table_args__ = (
        Index("ix_client_inn_kpp", "inn", "kpp"),
        # A manager's own list, in either order, walks one index range (replaces (owner_id, id)).
        Index("ix_client_owner_name", "owner_id", "search_name", "id"),
        Index("ix_client_owner_created", "owner_id", "created_at", "id"),
        Index("ix_client_name_sort", "search_name", "id"),
        Index("ix_client_created", "created_at", "id"),
        Index("ix_client_territory", "territory", "id"),
        Index("ix_client_status", "status", "id"),
        Index("ix_client_kind", "kind", "id"),
        Index("ix_client_industry", "industry", "id"),
        _trigram_index("ix_client_search_trgm", "search_name"),
        # Only persons with an identity have these; equality lookups use the partial index
        # (migration 0021: every imported company no longer adds a NULL entry to each).
        Index("ix_client_birth_date", "birth_date", sqlite_where=text("birth_date IS NOT NULL"),
              postgresql_where=text("birth_date IS NOT NULL")),
        Index("ix_client_passport_hash", "passport_hash", sqlite_where=text("passport_hash IS NOT NULL"),
              postgresql_where=text("passport_hash IS NOT NULL")),
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
    # Not indexed (migration 0021): lookups by phone or e-mail go through client_contact_point.
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    extra_phones: Mapped[list[str] | None] = mapped_column(JSON)
    extra_emails: Mapped[list[str] | None] = mapped_column(JSON)
    # a person's identity besides phone and e-mail (models.clients.person_identity)
    birth_date: Mapped[date | None] = mapped_column(Date)
    passport_hash: Mapped[str | None] = mapped_column(String(32))
    passport_masked: Mapped[str | None] = mapped_column(String(20))
    industry: Mapped[str | None] = mapped_column(String(100))
    territory: Mapped[str | None] = mapped_column(String(100))
    segment: Mapped[str | None] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(30), default="active")
    source: Mapped[str | None] = mapped_column(String(100))
    notes: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    head_name: Mapped[str | None] = mapped_column(String(300))
    head_position: Mapped[str | None] = mapped_column(String(200))
    registry_status: Mapped[str | None] = mapped_column(String(20))
    registry_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    search_name: Mapped[str] = mapped_column(String(600), default="")
    # The import that created the client (``client_import.id``). No foreign key on purpose:
    # adding one to SQLite's ``client`` rebuilds the table, which cascades to contacts.
    import_batch_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # Set when a registry check finds trouble (liquidation, bankruptcy, sanctions); deals show it.
    registry_flag: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    owner: Mapped[User | None] = relationship()
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="Contact.id"
    )

    @validates("registry_status")
    def _flag_registry(self, key: str, value: str | None) -> str | None:
        """Deals and lists flag a client the registry reports as liquidated or bankrupt."""
        self.registry_flag = value in REGISTRY_WARNING_STATUSES
        return value

    @validates("full_name", "short_name")
    def _refresh_search_name(self, key: str, value: str | None) -> str | None:
        names = {"full_name": self.full_name, "short_name": self.short_name, key: value}
        self.search_name = search_name(names["full_name"], names["short_name"])
        return value

    @property
    def display_name(self) -> str:
        return self.short_name or self.full_name

    @property
    def kind_label(self) -> str:
        return CLIENT_KIND_LABELS.get(ClientKind(self.kind), self.kind)

    @property
    def status_label(self) -> str:
        return CLIENT_STATUSES.get(self.status, self.status)

    @property
    def all_phones(self) -> list[str]:
        return [p for p in [self.phone, *(self.extra_phones or [])] if p]

    @property
    def all_emails(self) -> list[str]:
        return [e for e in [self.email, *(self.extra_emails or [])] if e]

    @property
    def registry_warning(self) -> str | None:
        """The registry state as a warning when the company is being closed or is bankrupt."""
        if self.registry_status in REGISTRY_WARNING_STATUSES:
            return REGISTRY_STATUS_LABELS[self.registry_status]
        return None


class Contact(Base):
    """A person at a client: position, decision-maker flag, phones and e-mails."""

    __tablename__ = "contact"
    __audited__ = True
    __audit_secret__ = frozenset({"passport_hash"})
    __table_args__ = (_trigram_index("ix_contact_search_trgm", "search_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(String(300))
    position: Mapped[str | None] = mapped_column(String(200))
    is_decision_maker: Mapped[bool] = mapped_column(Boolean, default=False)
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    extra_phones: Mapped[list[str] | None] = mapped_column(JSON)
    extra_emails: Mapped[list[str] | None] = mapped_column(JSON)
    birth_date: Mapped[date | None] = mapped_column(Date, index=True)
    passport_hash: Mapped[str | None] = mapped_column(String(32), index=True)
    passport_masked: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(Text)
    search_name: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    client: Mapped[Client] = relationship(back_populates="contacts")

    @validates("full_name")
    def _refresh_search_name(self, key: str, value: str | None) -> str | None:
        self.search_name = search_name(value)[:300]
        return value

    @property
    def all_phones(self) -> list[str]:
        return [p for p in [self.phone, *(self.extra_phones or [])] if p]

    @property
    def all_emails(self) -> list[str]:
        return [e for e in [self.email, *(self.extra_emails or [])] if e]


def client_label_rows(ids: LabelIds) -> Select:
    return select(Client.id, func.coalesce(Client.short_name, Client.full_name)).where(Client.id.in_(ids))


def client_label(client_id: int, name: str | None) -> str:
    return name or f"Клиент №{client_id}"
