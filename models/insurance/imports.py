"""Importing policies and claims from CSV/XLSX, the way clients are imported.

The file is read by the client import's reader (``models.clients.imports.files``: CSV in
UTF-8 or Windows-1251 with «;» or «,», or XLSX; a broken CSV record is reported and the
rest read on), columns are recognised from Russian and English headers, and every row ends
as created, updated, skipped (nothing changed) or rejected with a Russian reason. As with
clients, a bad row never stops the good ones and is never half-written (each row is a
savepoint), a dry run writes nothing but the results, and the rejected rows come back as
an Excel-ready CSV report with their original cells (``report_csv``: «Строка; Результат;
Причина; …»).

Rows are matched by number: importing the same file again updates what changed and skips
the rest. A policy's client is found by INN (and KPP when several cards share the INN);
a claim's by its policy number or INN. The import is small enough to run in the request or
the command (thousands of rows, not millions), so there is no background job here.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.clients.imports.files import ImportFileError, Table, normalize_header, read_csv, read_xlsx
from models.insurance.import_rows import RowOutcome, RowRejected, claim_values, fill_batch, policy_values
from models.insurance.policies import Claim, Policy
from models.platform.db import Base, UTCDateTime, utcnow

KINDS = {"policies": "Полисы", "claims": "Убытки"}
OUTCOME_LABELS = {
    "created": "создан",
    "updated": "обновлён",
    "skipped": "без изменений",
    "rejected": "отклонён",
}

FIELDS: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "policies": {
        "number": ("Номер полиса", ("номер полиса", "полис", "номер", "policy", "policy number")),
        "inn": ("ИНН", ("инн", "инн страхователя", "inn")),
        "kpp": ("КПП", ("кпп", "kpp")),
        "product": ("Продукт", ("продукт", "вид страхования", "линия", "product", "line")),
        "insurer": ("Страховщик", ("страховщик", "страховая компания", "insurer")),
        "insured_sum": ("Страховая сумма", ("страховая сумма", "сумма", "insured sum", "sum insured")),
        "premium": ("Премия", ("премия", "страховая премия", "premium")),
        "starts_on": ("Начало", ("начало", "дата начала", "начало действия", "с", "start", "starts on")),
        "ends_on": (
            "Окончание",
            ("окончание", "дата окончания", "окончание действия", "по", "end", "ends on"),
        ),
        "status": ("Статус", ("статус", "status")),
        "branch": ("Филиал / объект", ("филиал", "объект", "площадка", "branch", "site")),
    },
    "claims": {
        "number": ("Номер убытка", ("номер убытка", "убыток", "номер", "claim", "claim number")),
        "policy": ("Номер полиса", ("номер полиса", "полис", "policy", "policy number")),
        "inn": ("ИНН", ("инн", "инн страхователя", "inn")),
        "product": ("Продукт", ("продукт", "вид страхования", "product", "line")),
        "occurred_on": ("Дата события", ("дата события", "дата убытка", "дата", "date", "occurred on")),
        "paid": ("Выплачено", ("выплачено", "выплата", "оплачено", "paid")),
        "reserved": ("Резерв", ("резерв", "зарезервировано", "заявлено", "reserve", "reserved")),
        "status": ("Статус", ("статус", "status")),
        "description": ("Описание", ("описание", "комментарий", "description")),
    },
}
REQUIRED = {
    "policies": ("number", "product", "premium", "starts_on", "ends_on"),
    "claims": ("number", "occurred_on"),
}
# What an «updated» row says changed, in words (the model's fields).
CHANGED_LABELS = {
    "client_id": "страхователь",
    "product": "продукт",
    "premium": "премия",
    "insured_sum": "страховая сумма",
    "starts_on": "начало",
    "ends_on": "окончание",
    "status": "статус",
    "insurer": "страховщик",
    "branch": "филиал / объект",
    "policy_id": "полис",
    "occurred_on": "дата события",
    "paid": "выплачено",
    "reserved": "резерв",
    "description": "описание",
}


class InsuranceImport(Base):
    """One imported file of policies or claims and how its rows ended."""

    __tablename__ = "insurance_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    file_name: Mapped[str] = mapped_column(String(255))
    headers: Mapped[list[str]] = mapped_column(JSON)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    skipped_count: Mapped[int] = mapped_column(Integer, default=0)
    rejected_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "dry_run": self.dry_run,
            "file": self.file_name,
            "created": self.created_count,
            "updated": self.updated_count,
            "skipped": self.skipped_count,
            "rejected": self.rejected_count,
        }


class InsuranceImportRow(Base):
    """A row that was not simply created: rejected (with the reason), skipped or updated."""

    __tablename__ = "insurance_import_row"
    __table_args__ = (Index("ix_insurance_import_row_batch", "import_id", "outcome", "row_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("insurance_import.id", ondelete="CASCADE"))
    row_no: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[list[str] | None] = mapped_column(JSON)


def read_file(data: bytes, filename: str, kind: str) -> tuple[Table, dict[int, str]]:
    """The file as a table and its column mapping; ``ImportFileError`` when unreadable or unrecognised."""
    if kind not in FIELDS:
        raise ImportFileError("Неизвестный вид импорта: ожидаются полисы или убытки")
    if not data or not data.strip():
        raise ImportFileError("Файл пуст")
    lowered = (filename or "").lower()
    if lowered.endswith(".xls"):
        raise ImportFileError(
            "Старый формат Excel (.xls) не поддерживается: сохраните файл как .xlsx или CSV"
        )
    is_book = lowered.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04"
    table = read_xlsx(data, filename) if is_book else read_csv(data)
    if not table.total:
        raise ImportFileError("В файле есть заголовок, но нет ни одной строки с данными")
    mapping = propose_mapping(kind, table.headers)
    missing = [FIELDS[kind][f][0] for f in REQUIRED[kind] if f not in mapping.values()]
    if missing:
        raise ImportFileError(
            "Не найдены столбцы: "
            + ", ".join(f"«{m}»" for m in missing)
            + ". Нужна строка заголовков; проверьте кодировку и разделитель"
        )
    return table, mapping


def propose_mapping(kind: str, headers: list[str]) -> dict[int, str]:
    """Column index → field, each field from the first column whose header names it."""
    lookup = {s: name for name, (_label, spellings) in FIELDS[kind].items() for s in spellings}
    mapping: dict[int, str] = {}
    for index, header in enumerate(headers):
        name = lookup.get(normalize_header(header))
        if name and name not in mapping.values():
            mapping[index] = name
    return mapping


_MODELS: dict[str, Any] = {"policies": (Policy, policy_values), "claims": (Claim, claim_values)}


def _import_row(session: Session, batch: InsuranceImport, cells: dict[str, str]) -> RowOutcome:
    model, values_of = _MODELS[batch.kind]
    number = cells.get("number", "").strip()
    if not number:
        raise RowRejected("Не указан номер")
    if len(number) > 60:
        raise RowRejected("Номер длиннее 60 символов")
    values = values_of(session, cells)
    existing = session.scalar(select(model).where(model.number == number))
    if existing is None:
        if not batch.dry_run:
            session.add(model(number=number, import_id=batch.id, **values))
            session.flush()
        return RowOutcome("created")
    changed = {k: v for k, v in values.items() if getattr(existing, k) != v}
    if not changed:
        return RowOutcome("skipped", "Уже загружен, без изменений")
    if not batch.dry_run:
        for name, value in changed.items():
            setattr(existing, name, value)
        session.flush()
    return RowOutcome("updated", "Изменено: " + ", ".join(CHANGED_LABELS.get(k, k) for k in sorted(changed)))


def run_import(
    session: Session,
    kind: str,
    data: bytes,
    file_name: str,
    *,
    user_id: int | None,
    dry_run: bool,
    now: datetime,
) -> InsuranceImport:
    """Import a file of ``kind`` (policies | claims); returns the batch with its counts."""
    table, mapping = read_file(data, file_name, kind)
    batch = InsuranceImport(
        kind=kind,
        user_id=user_id,
        file_name=(file_name or "import")[:255],
        headers=table.headers,
        dry_run=dry_run,
        created_at=now,
    )
    session.add(batch)
    session.flush()
    fill_batch(session, batch, InsuranceImportRow, table, mapping,
               lambda named: _import_row(session, batch, named))
    return batch


def rows_of(
    session: Session,
    batch: InsuranceImport,
    outcomes: tuple[str, ...] = ("rejected",),
    limit: int | None = None,
) -> list[InsuranceImportRow]:
    stmt = (
        select(InsuranceImportRow)
        .where(InsuranceImportRow.import_id == batch.id, InsuranceImportRow.outcome.in_(outcomes))
        .order_by(InsuranceImportRow.row_no)
    )
    return list(session.scalars(stmt.limit(limit) if limit else stmt))


def report_csv(
    session: Session, batch: InsuranceImport, outcomes: tuple[str, ...] = ("rejected", "skipped")
) -> bytes:
    """Rejected (and skipped) rows with the reason and their original cells, as Excel-ready CSV."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["Строка", "Результат", "Причина", *batch.headers])
    for row in rows_of(session, batch, outcomes):
        writer.writerow(
            [row.row_no, OUTCOME_LABELS.get(row.outcome, row.outcome), row.reason or "", *(row.data or [])]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
