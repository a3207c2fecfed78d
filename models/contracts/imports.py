"""Importing the broker's book of business (contracts) from CSV/XLSX with the client import's reader.

The file is read by ``models.clients.imports.files`` (CSV in UTF-8/Windows-1251 with «;» or «,»,
XLSX; broken records reported), and a row's insurance values — client by INN/KPP, product,
money the Russian way, dates — are read by the insurance import's ``policy_values``, so a
contract row is spelled like a policy row, plus the manager (login or full name), the number
of instalments and the number of the contract it renewed. As in the other imports every row
ends created, updated, skipped or rejected with a Russian reason, each row is a savepoint,
rows are matched by number (the same file again changes nothing) and a dry run writes only
the results.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.clients.cards import Client
from models.clients.imports.files import ImportFileError, normalize_header, read_csv, read_xlsx
from models.contracts.contracts import Contract, ContractStatus, schedule
from models.identity.users import User
from models.insurance.import_rows import RowOutcome, RowRejected, fill_batch, policy_values
from models.insurance.policies import PolicyStatus
from models.platform.db import Base, UTCDateTime, utcnow

FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "number": (
        "Номер договора",
        ("номер договора", "договор", "номер", "номер полиса", "contract", "number"),
    ),
    "inn": ("ИНН", ("инн", "инн страхователя", "inn")),
    "kpp": ("КПП", ("кпп", "kpp")),
    "product": ("Продукт", ("продукт", "вид страхования", "линия", "product")),
    "insurer": ("Страховщик", ("страховщик", "страховая компания", "insurer")),
    "insured_sum": ("Страховая сумма", ("страховая сумма", "insured sum", "sum insured")),
    "premium": ("Премия", ("премия", "страховая премия", "premium")),
    "starts_on": ("Начало", ("начало", "дата начала", "начало действия", "start", "starts on")),
    "ends_on": ("Окончание", ("окончание", "дата окончания", "окончание действия", "end", "ends on")),
    "status": ("Статус", ("статус", "status")),
    "owner": ("Менеджер", ("менеджер", "ответственный", "manager", "owner")),
    "instalments": ("Платежей", ("платежей", "число платежей", "рассрочка", "instalments", "payments")),
    "renewed_from": ("Продление договора", ("продление договора", "пролонгация", "renewed from")),
}
REQUIRED = ("number", "inn", "product", "premium", "starts_on", "ends_on")
_STATUS = {
    PolicyStatus.ACTIVE: ContractStatus.ACTIVE,
    PolicyStatus.EXPIRED: ContractStatus.ENDED,
    PolicyStatus.CANCELLED: ContractStatus.CANCELLED,
}
CHANGED_LABELS = {
    "client_id": "страхователь",
    "product": "продукт",
    "premium": "премия",
    "insured_sum": "страховая сумма",
    "starts_on": "начало",
    "ends_on": "окончание",
    "status": "статус",
    "insurer": "страховщик",
    "owner_id": "менеджер",
    "renewed_from_id": "предыдущий договор",
}


class ContractImport(Base):
    """One imported file of contracts and how its rows ended."""

    __tablename__ = "contract_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    file_name: Mapped[str] = mapped_column(String(255))
    headers: Mapped[list[str]] = mapped_column(JSON)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    skipped_count: Mapped[int] = mapped_column(Integer, default=0)
    rejected_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    rows: Mapped[list[ContractImportRow]] = relationship(order_by="ContractImportRow.row_no", viewonly=True)

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "dry_run": self.dry_run,
            "file": self.file_name,
            "created": self.created_count,
            "updated": self.updated_count,
            "skipped": self.skipped_count,
            "rejected": self.rejected_count,
        }


class ContractImportRow(Base):
    """A row that was not simply created: rejected (with the reason), skipped or updated."""

    __tablename__ = "contract_import_row"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("contract_import.id", ondelete="CASCADE"), index=True)
    row_no: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[list[str] | None] = mapped_column(JSON)


def _mapping(headers: list[str]) -> dict[int, str]:
    lookup = {s: name for name, (_label, spellings) in FIELDS.items() for s in spellings}
    mapping: dict[int, str] = {}
    for index, header in enumerate(headers):
        name = lookup.get(normalize_header(header))
        if name and name not in mapping.values():
            mapping[index] = name
    return mapping


def _owner(session: Session, text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    user = session.scalar(select(User).where(or_(User.login == text, User.full_name == text)).limit(1))
    if user is None:
        raise RowRejected(f"Менеджер «{text}» не найден: укажите логин или ФИО сотрудника")
    return user.id


def _values(session: Session, cells: dict[str, str]) -> tuple[dict[str, Any], int]:
    base = policy_values(session, cells)
    instalments_text = cells.get("instalments", "").strip() or "1"
    if not instalments_text.isdigit() or not 1 <= int(instalments_text) <= 12:
        raise RowRejected(f"Платежей: «{instalments_text}» — ожидается число от 1 до 12")
    previous = cells.get("renewed_from", "").strip()
    previous_id = None
    if previous:
        previous_id = session.scalar(select(Contract.id).where(Contract.number == previous))
        if previous_id is None:
            raise RowRejected(f"Предыдущий договор № {previous} не найден: поставьте его в файле выше")
    values = {
        "client_id": base["client_id"],
        "product": base["product"],
        "premium": base["premium"],
        "insured_sum": base["insured_sum"],
        "starts_on": base["starts_on"],
        "ends_on": base["ends_on"],
        "status": _STATUS[base["status"]],
        "insurer": base["insurer"],
        "owner_id": _owner(session, cells.get("owner", "")),
        "renewed_from_id": previous_id,
    }
    return values, int(instalments_text)


def _import_row(session: Session, batch: ContractImport, cells: dict[str, str]) -> RowOutcome:
    number = cells.get("number", "").strip()
    if not number:
        raise RowRejected("Не указан номер договора")
    if len(number) > 100:
        raise RowRejected("Номер договора длиннее 100 символов")
    values, instalments = _values(session, cells)
    existing = session.scalar(select(Contract).where(Contract.number == number))
    if existing is None:
        if not batch.dry_run:
            contract = Contract(number=number, import_id=batch.id, **values)
            contract.payments = schedule(
                values["starts_on"], values["ends_on"], values["premium"], instalments
            )
            if values["owner_id"] is None:
                contract.owner_id = session.get_one(Client, values["client_id"]).owner_id
            session.add(contract)
            session.flush()
        return RowOutcome("created")
    values = {k: v for k, v in values.items() if not (k == "owner_id" and v is None)}
    changed = {k: v for k, v in values.items() if getattr(existing, k) != v}
    if not changed:
        return RowOutcome("skipped", "Уже загружен, без изменений")
    if not batch.dry_run:
        for name, value in changed.items():
            setattr(existing, name, value)
        session.flush()
    return RowOutcome("updated", "Изменено: " + ", ".join(CHANGED_LABELS.get(k, k) for k in sorted(changed)))


def run_import(
    session: Session, data: bytes, file_name: str, *, user_id: int | None, dry_run: bool, now: datetime
) -> ContractImport:
    """Import a file of contracts; returns the batch with its counts (``ImportFileError`` if unreadable)."""
    if not data or not data.strip():
        raise ImportFileError("Файл пуст")
    lowered = (file_name or "").lower()
    if lowered.endswith(".xls"):
        raise ImportFileError(
            "Старый формат Excel (.xls) не поддерживается: сохраните файл как .xlsx или CSV"
        )
    is_book = lowered.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04"
    table = read_xlsx(data, file_name) if is_book else read_csv(data)
    if not table.total:
        raise ImportFileError("В файле есть заголовок, но нет ни одной строки с данными")
    mapping = _mapping(table.headers)
    missing = [FIELDS[f][0] for f in REQUIRED if f not in mapping.values()]
    if missing:
        raise ImportFileError("Не найдены столбцы: " + ", ".join(f"«{m}»" for m in missing))
    batch = ContractImport(
        user_id=user_id,
        file_name=(file_name or "import")[:255],
        headers=table.headers,
        dry_run=dry_run,
        created_at=now,
    )
    session.add(batch)
    session.flush()
    fill_batch(session, batch, ContractImportRow, table, mapping,
               lambda named: _import_row(session, batch, named))
    return batch


def rejected_rows(session: Session, batch: ContractImport) -> list[ContractImportRow]:
    return list(
        session.scalars(
            select(ContractImportRow)
            .where(ContractImportRow.import_id == batch.id)
            .order_by(ContractImportRow.row_no)
        )
    )
