"""One row of a policies or claims file as values for the tables, or the reason it is rejected.

``policy_values`` and ``claim_values`` read the named cells of a row (``models.insurance.imports``
maps the columns): money the Russian way («1 500 000,50», a trailing ₽), dates ДД.ММ.ГГГГ or
ISO, product lines in their usual spellings, statuses in Russian or English; the client by INN
(and KPP where several cards share the INN), a claim's client and product from its policy.
Anything that does not fit raises ``RowRejected`` with a Russian reason for the row report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from models.clients.cards import Client
from models.clients.imports.files import Table
from models.insurance.policies import ClaimStatus, Policy, PolicyStatus, product_line


@dataclass
class RowOutcome:
    """What became of one row: created, updated, skipped or rejected, and why (for the report)."""

    outcome: str
    reason: str | None = None


def apply_rows(
    session: Session,
    table: Table,
    mapping: dict[int, str],
    import_row: Callable[[dict[str, str]], RowOutcome],
    report: Callable[[int, RowOutcome, list[str]], None],
) -> dict[str, int]:
    """Import every readable row in a savepoint of its own and report every row that was not created.

    Shared by the policies, claims and contracts imports: a bad row (our ``RowRejected``, a value
    that does not parse, or a constraint the database refuses) is rolled back alone with its
    reason and the other rows go on, so no row is ever half-written. Returns counts per outcome.
    """
    counts = {"created": 0, "updated": 0, "skipped": 0, "rejected": 0}
    for row_no, reason in table.broken:
        report(row_no, RowOutcome("rejected", reason), [])
        counts["rejected"] += 1
    for row_no, cells in table.rows:
        named = {field: (cells[i] if i < len(cells) else "") for i, field in mapping.items()}
        try:
            with session.begin_nested():  # released when the row is written, rolled back when it raises
                done = import_row(named)
        except (RowRejected, ValueError) as exc:
            done = RowOutcome("rejected", str(exc))
        except SQLAlchemyError as exc:  # the database refused the row (a constraint): the others go on
            first = (str(getattr(exc, "orig", exc)).strip().splitlines() or [type(exc).__name__])[0]
            done = RowOutcome("rejected", f"Не удалось сохранить строку: {first}")
        counts[done.outcome] += 1
        if done.outcome != "created":
            report(row_no, done, list(cells))
    return counts


def fill_batch(
    session: Session,
    batch: Any,
    row_model: Any,
    table: Table,
    mapping: dict[int, str],
    import_row: Callable[[dict[str, str]], RowOutcome],
) -> None:
    """Run ``table`` into a stored ``batch``: rows not created are kept as ``row_model`` rows with
    their reasons (the report the user downloads) and the counts go on the batch."""

    def report(row_no: int, done: RowOutcome, cells: list[str]) -> None:
        session.add(row_model(import_id=batch.id, row_no=row_no, outcome=done.outcome, reason=done.reason,
                              data=cells))

    counts = apply_rows(session, table, mapping, import_row, report)
    batch.created_count, batch.updated_count = counts["created"], counts["updated"]
    batch.skipped_count, batch.rejected_count = counts["skipped"], counts["rejected"]
    session.flush()

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


class RowRejected(ValueError):
    """The row cannot be imported; the message says why, in Russian."""


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


def policy_values(session: Session, cells: dict[str, str]) -> dict[str, Any]:
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


def claim_values(session: Session, cells: dict[str, str]) -> dict[str, Any]:
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
