"""Inbound e-mail tables: where each mailbox's import stands, the messages, their attachments.

``mail_folder_state`` keeps per mailbox the ``UIDVALIDITY`` and the last UID imported, in
the same transaction as the message, so a restart goes on where it stopped; the unique
key (mailbox, uidvalidity, uid) makes a second import of the same message impossible even
for two workers. ``thread_key`` is the Message-ID of the thread's first message (found
through In-Reply-To / References); every message of a thread shares the thread's activity.
Outgoing replies from the CRM are messages too (``direction`` out), so a client's answer to
them finds its thread.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.platform.db import Base, UTCDateTime, utcnow


class MailFolderState(Base):
    __tablename__ = "mail_folder_state"

    mailbox: Mapped[str] = mapped_column(String(300), primary_key=True)
    uidvalidity: Mapped[int] = mapped_column(Integer)
    last_uid: Mapped[int] = mapped_column(Integer, default=0)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MailMessage(Base):
    __tablename__ = "mail_message"
    __table_args__ = (
        UniqueConstraint("mailbox", "uidvalidity", "uid", name="uq_mail_message_uid"),
        Index("ix_mail_message_thread", "thread_key", "received_at"),
        Index("ix_mail_message_client", "client_id", "received_at"),
        Index("ix_mail_message_triage", "triage", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mailbox: Mapped[str | None] = mapped_column(String(300))
    uidvalidity: Mapped[int | None] = mapped_column(Integer)
    uid: Mapped[int | None] = mapped_column(Integer)
    direction: Mapped[str] = mapped_column(String(5), default="in")  # in | out
    message_id: Mapped[str | None] = mapped_column(String(500), index=True)
    in_reply_to: Mapped[str | None] = mapped_column(String(500))
    references: Mapped[str | None] = mapped_column(Text)
    thread_key: Mapped[str] = mapped_column(String(500))
    from_addr: Mapped[str] = mapped_column(String(254), default="")
    from_name: Mapped[str | None] = mapped_column(String(300))
    to_addrs: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(String(998), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("client.id", ondelete="SET NULL"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id", ondelete="SET NULL"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deal.id", ondelete="SET NULL"))
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activity.id", ondelete="SET NULL"))
    triage: Mapped[str | None] = mapped_column(String(10))  # pending | lead | linked | ignored
    triaged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id", ondelete="SET NULL"))
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    attachments: Mapped[list[MailAttachment]] = relationship(
        back_populates="message", order_by="MailAttachment.id"
    )


class MailAttachment(Base):
    __tablename__ = "mail_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("mail_message.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)

    message: Mapped[MailMessage] = relationship(back_populates="attachments")
