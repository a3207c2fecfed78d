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
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.clients.cards import Client
from models.clients.imports.files import ImportFileError, Table, normalize_header, read_csv, read_xlsx
from models.insurance.policies import Claim, ClaimStatus, Policy, PolicyStatus, product_line
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
_POLICY_STATUSES = {
    "действует": PolicyStatus.ACTIVE,
    "active": PolicyStatus.ACTIVE,
    "истек": PolicyStatus.EXPIRED,
    "expired": PolicyStatus.EXPIRED,
    "расторгнут": PolicyStatus.CANCELLED,
    "cancelled": PolicyStatus.CANCELLED,
}
_CLAIM_STATUSES = {
    "урегулируется": ClaimStatus.OPEN,
    "открыт": ClaimStatus.OPEN,
    "open": ClaimStatus.OPEN,
    "урегулирован": ClaimStatus.SETTLED,
    "закрыт": ClaimStatus.SETTLED,
    "settled": ClaimStatus.SETTLED,
    "отказ": ClaimStatus.DECLINED,
    "declined": ClaimStatus.DECLINED,
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


class RowRejected(ValueError):
    """The row cannot be imported; the message says why, in Russian."""


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


def _money(text: str, label: str, *, required: bool = False) -> Decimal | None:
    cleaned = (text or "").replace("\u00a0", "").replace(" ", "").replace("₽", "").replace("руб.", "")
    cleaned = cleaned.replace("руб", "").replace(",", ".")
    if not cleaned:
        if required:
            raise RowRejected(f"Не указано: {label}")
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise RowRejected(f"{label}: «{text}» — не сумма (пример: 1 500 000,50)") from None
    if not value.is_finite() or value < 0:
        raise RowRejected(f"{label}: сумма не может быть отрицательной")
    return value.quantize(Decimal("0.01"))


def _date(text: str, label: str) -> date:
    value = (text or "").strip()
    if not value:
        raise RowRejected(f"Не указано: {label}")
    try:
        if "." in value:
            return datetime.strptime(value[:10], "%d.%m.%Y").date()
        return date.fromisoformat(value[:10])
    except ValueError:
        raise RowRejected(f"{label}: «{value}» — не дата (пример: 31.12.2025)") from None


def _client(session: Session, inn: str, kpp: str) -> Client:
    inn, kpp = inn.strip(), kpp.strip()
    if not inn:
        raise RowRejected("Не указан ИНН страхователя")
    stmt = select(Client).where(Client.inn == inn).order_by(Client.id)
    if kpp:
        stmt = stmt.where(Client.kpp == kpp)
    found = list(session.scalars(stmt.limit(2)))
    if not found:
        raise RowRejected(
            f"Клиент с ИНН {inn}{' и КПП ' + kpp if kpp else ''} не найден: "
            "сначала импортируйте или заведите клиента"
        )
    if len(found) > 1:
        raise RowRejected(f"С ИНН {inn} несколько карточек (филиалы): укажите КПП")
    return found[0]


def _product(text: str, fallback: str | None = None) -> str:
    if not text.strip() and fallback is None:
        raise RowRejected("Не указан продукт (или номер полиса, по которому он известен)")
    product = product_line(text) if text.strip() else fallback
    if product is None:
        raise RowRejected(
            f"Неизвестный продукт «{text}»: КАСКО, ОСАГО, ДМС, НС, Имущество, Грузы, Ответственность"
        )
    return product


def _policy_values(session: Session, cells: dict[str, str]) -> dict[str, Any]:
    starts = _date(cells.get("starts_on", ""), "Начало")
    ends = _date(cells.get("ends_on", ""), "Окончание")
    if ends <= starts:
        raise RowRejected("Окончание полиса должно быть позже начала")
    status_text = cells.get("status", "").strip().lower().replace("ё", "е")
    if status_text and status_text not in _POLICY_STATUSES:
        raise RowRejected(f"Неизвестный статус полиса «{cells['status']}»: действует, истёк, расторгнут")
    client = _client(session, cells.get("inn", ""), cells.get("kpp", ""))
    return {
        "client_id": client.id,
        "product": _product(cells.get("product", "")),
        "premium": _money(cells.get("premium", ""), "Премия", required=True),
        "insured_sum": _money(cells.get("insured_sum", ""), "Страховая сумма"),
        "starts_on": starts,
        "ends_on": ends,
        "status": _POLICY_STATUSES.get(status_text, PolicyStatus.ACTIVE),
        "insurer": cells.get("insurer", "").strip()[:200] or None,
        "branch": cells.get("branch", "").strip()[:200] or None,
    }


def _claim_values(session: Session, cells: dict[str, str]) -> dict[str, Any]:
    policy_number = cells.get("policy", "").strip()
    policy = None
    if policy_number:
        policy = session.scalar(select(Policy).where(Policy.number == policy_number))
        if policy is None:
            raise RowRejected(f"Полис № {policy_number} не найден: сначала импортируйте полисы")
    client_id = policy.client_id if policy is not None else _client(session, cells.get("inn", ""), "").id
    paid = _money(cells.get("paid", ""), "Выплачено") or Decimal("0")
    reserved = _money(cells.get("reserved", ""), "Резерв") or Decimal("0")
    status_text = cells.get("status", "").strip().lower().replace("ё", "е")
    if status_text and status_text not in _CLAIM_STATUSES:
        raise RowRejected(
            f"Неизвестный статус убытка «{cells['status']}»: урегулируется, урегулирован, отказ"
        )
    default = ClaimStatus.OPEN if reserved else ClaimStatus.SETTLED
    return {
        "client_id": client_id,
        "policy_id": policy.id if policy else None,
        "product": _product(cells.get("product", ""), policy.product if policy else None),
        "occurred_on": _date(cells.get("occurred_on", ""), "Дата события"),
        "paid": paid,
        "reserved": reserved,
        "status": _CLAIM_STATUSES.get(status_text, default),
        "description": cells.get("description", "").strip() or None,
    }


_MODELS: dict[str, Any] = {"policies": (Policy, _policy_values), "claims": (Claim, _claim_values)}


@dataclass
class _Outcome:
    outcome: str
    reason: str | None = None


def _import_row(session: Session, batch: InsuranceImport, cells: dict[str, str]) -> _Outcome:
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
        return _Outcome("created")
    changed = {k: v for k, v in values.items() if getattr(existing, k) != v}
    if not changed:
        return _Outcome("skipped", "Уже загружен, без изменений")
    if not batch.dry_run:
        for name, value in changed.items():
            setattr(existing, name, value)
        session.flush()
    return _Outcome("updated", "Изменено: " + ", ".join(CHANGED_LABELS.get(k, k) for k in sorted(changed)))


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
    counts = dict.fromkeys(OUTCOME_LABELS, 0)
    for row_no, reason in table.broken:
        session.add(
            InsuranceImportRow(import_id=batch.id, row_no=row_no, outcome="rejected", reason=reason, data=[])
        )
        counts["rejected"] += 1
    for row_no, cells in table.rows:
        named = {field: (cells[i] if i < len(cells) else "") for i, field in mapping.items()}
        savepoint = session.begin_nested()
        try:
            done = _import_row(session, batch, named)
            savepoint.commit()
        except (RowRejected, ValueError) as exc:
            savepoint.rollback()
            done = _Outcome("rejected", str(exc))
        except SQLAlchemyError as exc:  # the database refused the row (a constraint): the others go on
            savepoint.rollback()
            first = (str(getattr(exc, "orig", exc)).strip().splitlines() or [type(exc).__name__])[0]
            done = _Outcome("rejected", f"Не удалось сохранить строку: {first}")
        counts[done.outcome] += 1
        if done.outcome != "created":
            session.add(
                InsuranceImportRow(
                    import_id=batch.id,
                    row_no=row_no,
                    outcome=done.outcome,
                    reason=done.reason,
                    data=list(cells),
                )
            )
    batch.created_count, batch.updated_count = counts["created"], counts["updated"]
    batch.skipped_count, batch.rejected_count = counts["skipped"], counts["rejected"]
    session.flush()
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
