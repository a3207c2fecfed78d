"""Import batches of clients: the uploaded file, its mapping and mode, progress, results, revert.

A batch is created from an uploaded file (``create_batch``), queued and then run in the
background (``models.clients.imports.run``) or at once by the CLI. Every created client
carries the batch id (``client.import_batch_id``); every updated one has an
``client_import_row`` with its values before the import. Together they let
``revert_import`` undo a whole import: created clients are deleted, updated ones get
their old values back, all of it in the audit log with «Откат импорта #N» as the reason.
Rejected and skipped rows are kept with their original cells and the reason, for the
downloadable report.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    select,
)
from sqlalchemy.orm import Mapped, Session, deferred, mapped_column, relationship, selectinload

from models.clients.cards import Client, Contact
from models.clients.imports.files import ImportFileError, propose_mapping, read_table
from models.identity.users import User
from models.platform.audit import acting_as
from models.platform.db import Base, UTCDateTime, utcnow


class ImportMode(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    SKIP_DUPLICATES = "skip-duplicates"


MODE_LABELS = {
    ImportMode.CREATE: "только создавать новых",
    ImportMode.UPDATE: "обновлять найденных по ИНН, остальных создавать",
    ImportMode.SKIP_DUPLICATES: "пропускать возможные дубликаты",
}
OUTCOME_LABELS = {"created": "создан", "updated": "обновлён", "skipped": "пропущен",
                  "rejected": "отклонён"}
STATUS_LABELS = {"draft": "ожидает запуска", "queued": "в очереди", "running": "выполняется",
                 "done": "завершён", "failed": "ошибка", "reverted": "отменён"}


class ClientImport(Base):
    """One uploaded file and what happened to it."""

    __tablename__ = "client_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    file_name: Mapped[str] = mapped_column(String(255))
    file_format: Mapped[str] = mapped_column(String(10))
    file_data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    headers: Mapped[list[str]] = mapped_column(JSON)
    mapping: Mapped[dict[str, str]] = mapped_column(JSON)  # column index (as text) -> field
    mode: Mapped[str] = mapped_column(String(20), default=ImportMode.CREATE.value)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    processed_rows: Mapped[int] = mapped_column(Integer, default=0)
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    skipped_count: Mapped[int] = mapped_column(Integer, default=0)
    rejected_count: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reverted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship()

    def progress(self) -> dict[str, Any]:
        """The JSON the progress bar polls."""
        percent = int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0
        return {"id": self.id, "status": self.status, "status_label": STATUS_LABELS.get(self.status),
                "dry_run": self.dry_run, "total": self.total_rows, "processed": self.processed_rows,
                "percent": percent if self.status not in ("done", "reverted") else 100,
                "created": self.created_count, "updated": self.updated_count,
                "skipped": self.skipped_count, "rejected": self.rejected_count, "error": self.error}


class ImportRow(Base):
    """A row of a batch worth remembering: rejected, skipped, updated, or created with a warning."""

    __tablename__ = "client_import_row"
    __table_args__ = (Index("ix_client_import_row_batch", "import_id", "outcome", "row_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("client_import.id", ondelete="CASCADE"))
    row_no: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(12))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("client.id", ondelete="SET NULL"),
                                                  index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[list[str] | None] = mapped_column(JSON)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)


def create_batch(session: Session, user: User | None, data: bytes, file_name: str,
                 mode: str = ImportMode.CREATE.value) -> ClientImport:
    """Read the file (refusing unreadable ones) and store it with a proposed column mapping."""
    table = read_table(data, file_name)
    if mode not in {m.value for m in ImportMode}:
        raise ImportFileError("Неизвестный режим импорта")
    batch = ClientImport(
        user_id=user.id if user else None, file_name=(file_name or "import")[:255],
        file_format=table.file_format, file_data=data, headers=table.headers,
        mapping={str(k): v for k, v in propose_mapping(table.headers).items()},
        mode=mode, total_rows=table.total, status="draft",
    )
    session.add(batch)
    session.flush()
    return batch


def report_csv(session: Session, batch: ClientImport,
               outcomes: tuple[str, ...] = ("rejected", "skipped")) -> bytes:
    """Rejected (and skipped) rows with their original cells and the reason, as Excel-ready CSV."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["Строка", "Результат", "Причина", *batch.headers])
    rows = session.scalars(select(ImportRow).where(ImportRow.import_id == batch.id,
                                                   ImportRow.outcome.in_(outcomes))
                           .order_by(ImportRow.row_no))
    for row in rows:
        writer.writerow([row.row_no, OUTCOME_LABELS.get(row.outcome, row.outcome), row.reason or "",
                         *(row.data or [])])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def revert_import(session: Session, actor: User | None, batch: ClientImport,
                  now: datetime | None = None) -> dict[str, int]:
    """Undo a finished import: delete the clients it created, restore the ones it updated."""
    if batch.dry_run or batch.status not in ("done", "failed"):
        raise ImportFileError("Отменить можно только выполненный (не пробный) импорт")
    reason = f"Откат импорта #{batch.id} ({batch.file_name})"
    deleted = restored = 0
    with acting_as(actor.id if actor else None, reason=reason[:500]):
        while True:
            chunk = session.scalars(select(Client).where(Client.import_batch_id == batch.id)
                                    .options(selectinload(Client.contacts)).limit(500)).all()
            if not chunk:
                break
            for imported in chunk:
                session.delete(imported)
            session.flush()
            deleted += len(chunk)
        updated = session.scalars(select(ImportRow).where(ImportRow.import_id == batch.id,
                                                          ImportRow.outcome == "updated"))
        for row in updated:
            client = session.get(Client, row.client_id) if row.client_id else None
            if client is None:
                continue
            before = dict(row.before or {})
            for contact_id in before.pop("_added_contacts", []):
                contact = session.get(Contact, contact_id)
                if contact is not None:
                    session.delete(contact)
            for field, value in before.items():
                setattr(client, field, value)
            restored += 1
        batch.status = "reverted"
        batch.reverted_at = now or utcnow()
        session.flush()
    return {"deleted": deleted, "restored": restored}


def rejected_rows(session: Session, batch_id: int, limit: int) -> list[ImportRow]:
    """The first ``limit`` rejected rows of an import, in file order (what a summary shows)."""
    return list(session.scalars(select(ImportRow).where(
        ImportRow.import_id == batch_id, ImportRow.outcome == "rejected")
        .order_by(ImportRow.row_no).limit(limit)))
