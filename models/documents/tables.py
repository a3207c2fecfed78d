"""The documents' tables: templates and their versions, documents and their immutable versions,
approvals bound to a version's SHA-256, one-time sign-off codes, sendings and the EDO cursor.

A version (of a template or of a document) is written once and never changed: its bytes,
SHA-256, author, time and — for a generated document — the data it was filled from. The
document points at its latest version by number; an approval names the version and its
hash, so a later version makes it stale (``invalidated_at``), never rewritten.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from models.clients.cards import Client
from models.identity.users import User
from models.platform.db import Base, UTCDateTime, utcnow
from models.platform.fragments import trigram_index
from models.sales.deals import Deal

MONEY = Numeric(16, 2)


class DocumentTemplate(Base):
    """A named DOCX template of one document kind; its content lives in its versions."""

    __tablename__ = "document_template"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list[TemplateVersion]] = relationship(
        back_populates="template", order_by="TemplateVersion.number", cascade="all, delete-orphan"
    )

    @property
    def latest(self) -> TemplateVersion | None:
        return self.versions[-1] if self.versions else None


class TemplateVersion(Base):
    __tablename__ = "document_template_version"
    __table_args__ = (UniqueConstraint("template_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("document_template.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(300))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    placeholders: Mapped[list[str]] = mapped_column(JSON, default=list)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    template: Mapped[DocumentTemplate] = relationship(back_populates="versions")
    uploaded_by: Mapped[User | None] = relationship()


class ClientDocumentDetails(Base):
    """What documents need of a client that its card does not hold: bank details and the signatory."""

    __tablename__ = "client_document_details"
    __audited__ = True

    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), primary_key=True)
    bank_name: Mapped[str | None] = mapped_column(String(300))
    bik: Mapped[str | None] = mapped_column(String(9))
    account: Mapped[str | None] = mapped_column(String(20))
    corr_account: Mapped[str | None] = mapped_column(String(20))
    signatory_name: Mapped[str | None] = mapped_column(String(300))
    signatory_position: Mapped[str | None] = mapped_column(String(200))
    signatory_basis: Mapped[str | None] = mapped_column(String(200))  # «Устава», «доверенности № …»
    edo_box_id: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DocumentCounter(Base):
    """The last number given per document kind and year (numbering «Д-2026-0001»)."""

    __tablename__ = "document_counter"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Document(Base):
    __tablename__ = "document"
    __audited__ = True
    __table_args__ = (
        UniqueConstraint("kind", "year", "seq"),
        Index("ix_document_deal", "deal_id", "created_at"),
        Index("ix_document_client", "client_id", "created_at"),
        Index("ix_document_status", "status", "created_at"),
        trigram_index("ix_document_title_trgm", "title"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(500))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deal.id", ondelete="SET NULL"))
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="RESTRICT"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    amount: Mapped[Decimal | None] = mapped_column(MONEY)
    discount: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    product: Mapped[str | None] = mapped_column(String(40))
    template_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("document_template_version.id", ondelete="SET NULL")
    )
    current_version: Mapped[int] = mapped_column(Integer, default=0)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id", ondelete="SET NULL"))
    approved_version: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}

    deal: Mapped[Deal | None] = relationship()
    client: Mapped[Client] = relationship()
    author: Mapped[User | None] = relationship()
    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", order_by="DocumentVersion.number", cascade="all, delete-orphan"
    )
    approvals: Mapped[list[DocumentApproval]] = relationship(
        back_populates="document", order_by="DocumentApproval.id", cascade="all, delete-orphan"
    )
    sendings: Mapped[list[DocumentSending]] = relationship(
        back_populates="document", order_by="DocumentSending.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[DocumentEvent]] = relationship(
        back_populates="document", order_by="DocumentEvent.id", cascade="all, delete-orphan"
    )

    @property
    def latest(self) -> DocumentVersion | None:
        return self.versions[-1] if self.versions else None


class DocumentVersion(Base):
    """One immutable state of a document: generated from a template or uploaded by a person."""

    __tablename__ = "document_version"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(300))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    # The PDF made from ``content`` by LibreOffice, kept once made (the version never changes).
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(20))  # generated | uploaded
    data: Mapped[dict | None] = mapped_column(JSON)  # what it was filled from
    comment: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    document: Mapped[Document] = relationship(back_populates="versions")
    author: Mapped[User | None] = relationship()


class DocumentApproval(Base):
    """An approver's decision on one version, bound to its SHA-256; stale once a newer version exists."""

    __tablename__ = "document_approval"
    __table_args__ = (Index("ix_document_approval_doc", "document_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    version_number: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    stage: Mapped[int] = mapped_column(Integer)
    stage_name: Mapped[str] = mapped_column(String(200))
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decision: Mapped[str] = mapped_column(String(20))  # approve | reject | rework
    comment: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str | None] = mapped_column(String(20))  # password | code
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(500))
    task_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    invalidated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    document: Mapped[Document] = relationship(back_populates="approvals")
    approver: Mapped[User | None] = relationship()

    @property
    def valid(self) -> bool:
        return self.invalidated_at is None


class SignCode(Base):
    """A one-time code e-mailed to an approver to confirm a sign-off (only its hash is kept)."""

    __tablename__ = "document_sign_code"
    __table_args__ = (Index("ix_document_sign_code_user", "user_id", "document_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(String(64))  # the version the code confirms
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DocumentSending(Base):
    """One sending of a version: by e-mail (outbox) or through EDO (operationId makes retries safe)."""

    __tablename__ = "document_sending"
    __table_args__ = (
        Index("ix_document_sending_doc", "document_id", "id"),
        Index("ix_document_sending_due", "channel", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    version_number: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(10))  # email | edo
    status: Mapped[str] = mapped_column(
        String(20), default="queued"
    )  # queued|sent|delivered|signed|rejected|failed
    recipient: Mapped[str] = mapped_column(String(300))
    outbox_id: Mapped[int | None] = mapped_column(Integer)
    message_id: Mapped[str | None] = mapped_column(
        String(300), unique=True
    )  # e-mail Message-ID | EDO MessageId
    operation_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    entity_id: Mapped[str | None] = mapped_column(String(100))
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}

    document: Mapped[Document] = relationship(back_populates="sendings")


class DocumentEvent(Base):
    """The document's history: created, versions, approval steps, sendings, statuses from EDO."""

    __tablename__ = "document_event"
    __table_args__ = (Index("ix_document_event_doc", "document_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    document: Mapped[Document] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship()


class EdoCursor(Base):
    """Where polling ``V8/GetNewEvents`` of one box stopped (``afterIndexKey``)."""

    __tablename__ = "edo_cursor"

    box_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    after_index_key: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
