"""What the import pages do: upload a file, show a batch, queue it with its mapping, report, revert.

Every function takes the session and the acting user and loads the batch with its access
check (``models.clients.access.get_import``: only those who import clients see imports, a
batch belongs to whoever uploaded it, back office sees all) — except ``revert_as_operator``,
the command line's, which has no signed-in user to check. Nothing here runs the import
itself: a queued batch is picked up by the ``client_imports`` job after the caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models.clients.access import get_import
from models.clients.imports.batches import (
    OUTCOME_LABELS,
    ClientImport,
    ImportMode,
    ImportRow,
    create_batch,
    report_csv,
    revert_import,
)
from models.clients.imports.files import IMPORT_FIELDS
from models.identity.users import User
from models.platform.errors import NotFound
from models.platform.permissions import Permission, require, scoped

SHOWN_ROWS = 200


class ImportNotStartable(Exception):
    """The batch is queued, running or already done for real: it is not started again."""

    def __init__(self, message: str = "Этот импорт уже запущен или выполнен") -> None:
        super().__init__(message)
        self.message = message


class ImportSettingsInvalid(Exception):
    """The chosen mapping or mode cannot run; ``problems`` in Russian, the choices to show back."""

    def __init__(self, problems: list[str], mapping: dict[str, str], mode: str) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
        self.mapping = mapping
        self.mode = mode


@dataclass
class ImportPage:
    """A batch's page: the batch, its first rows per outcome, the mapping and mode shown in the form."""

    batch: ClientImport
    rows: dict[str, list[ImportRow]]
    mapping: dict[str, str]
    mode: str


def upload(session: Session, user: User, data: bytes, file_name: str,
           mode: str = ImportMode.CREATE.value) -> ClientImport:
    """Store an uploaded file as a draft batch with a proposed mapping (``ImportFileError`` if unreadable)."""
    require(user, Permission.IMPORT_CLIENTS)
    return create_batch(session, user, data, file_name, mode)


def recent_imports(session: Session, user: User, limit: int = 20) -> list[ClientImport]:
    """The latest batches ``user`` may see, newest first (the upload page's list)."""
    require(user, Permission.IMPORT_CLIENTS)
    stmt = scoped(user, ClientImport).order_by(ClientImport.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def import_page(session: Session, user: User, batch_id: int, *, mapping: dict[str, str] | None = None,
                mode: str | None = None) -> ImportPage:
    """The batch with its first ``SHOWN_ROWS`` rows of each outcome.

    ``mapping`` and ``mode`` replace the stored ones in the form (choices refused, shown back).
    """
    batch = get_import(session, user, batch_id)
    rows = {outcome: list(session.scalars(
        select(ImportRow).where(ImportRow.import_id == batch.id, ImportRow.outcome == outcome)
        .order_by(ImportRow.row_no).limit(SHOWN_ROWS))) for outcome in OUTCOME_LABELS}
    return ImportPage(batch, rows, mapping if mapping is not None else (batch.mapping or {}),
                      mode if mode is not None else batch.mode)


def import_progress(session: Session, user: User, batch_id: int) -> dict[str, Any]:
    """The progress the page's bar polls."""
    return get_import(session, user, batch_id).progress()


def queue_import(session: Session, user: User, batch_id: int, columns: Mapping[str, str],
                 mode: str | None, dry_run: bool) -> ClientImport:
    """Queue a draft (or a finished dry run) with the confirmed mapping and mode, as a dry run or for real.

    ``columns`` maps a column index (as text) to an import field; unknown columns and fields
    are dropped. Refuses a batch already queued, running or done for real
    (``ImportNotStartable``) and a mode or mapping that cannot run (``ImportSettingsInvalid``:
    at least «Наименование» or «ИНН» must be mapped). Rows of an earlier dry run are dropped.
    """
    batch = get_import(session, user, batch_id)
    if batch.status in ("queued", "running") or (batch.status != "draft" and not batch.dry_run):
        raise ImportNotStartable()
    chosen = {str(i): columns.get(str(i), "") for i in range(len(batch.headers))}
    mapping = {k: v for k, v in chosen.items() if v in IMPORT_FIELDS}
    mode = mode if mode is not None else batch.mode
    problems = []
    if mode not in {m.value for m in ImportMode}:
        problems.append("Выберите режим импорта")
    if not {"full_name", "inn"} & set(mapping.values()):
        problems.append("Сопоставьте хотя бы столбец «Наименование» или «ИНН»")
    if problems:
        raise ImportSettingsInvalid(problems, mapping, mode)
    batch.mapping, batch.mode, batch.dry_run = mapping, mode, dry_run
    batch.status, batch.started_at, batch.finished_at = "queued", None, None
    session.execute(delete(ImportRow).where(ImportRow.import_id == batch.id))
    session.flush()
    return batch


def rejected_report(session: Session, user: User, batch_id: int) -> bytes:
    """Rejected and skipped rows of the batch with the reason for each, as CSV."""
    return report_csv(session, get_import(session, user, batch_id))


def revert(session: Session, user: User, batch_id: int, now: datetime) -> dict[str, int]:
    """Undo a finished import (``ImportFileError`` for a dry run or an unfinished one)."""
    return revert_import(session, user, get_import(session, user, batch_id), now)


def revert_as_operator(session: Session, actor: User | None, batch_id: int, now: datetime) -> dict[str, int]:
    """The command line's revert: whoever runs ``crm`` on the server may undo any batch.

    No record check (there is no signed-in user); ``actor`` (or the system, when None) is
    named in the audit log. ``NotFound`` for an unknown batch, ``ImportFileError`` for a
    dry run or an unfinished one.
    """
    batch = session.get(ClientImport, batch_id)
    if batch is None:
        raise NotFound(f"Импорт #{batch_id} не найден")
    return revert_import(session, actor, batch, now)
