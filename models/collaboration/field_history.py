"""Field changes of clients and deals as the timeline shows them: one entry per change, in Russian.

The audit log (``models.platform.audit``) has one row per field; every row of one flush
shares its time, actor and action, so grouping by them gives one entry per change —
creating a card is one entry listing its fields, not 37 rows (a card created by the
import has one row holding all its values, unfolded by ``field_values``). Technical columns (search
keys, flags derived from others, timestamps) are left out; ids become names (the owner,
the stage, the funnel, the loss reason), money «1 500 000,50 ₽», dates ДД.ММ.ГГГГ,
yes/no «да/нет», and known codes their Russian labels.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from models.clients.cards import (
    CLIENT_KIND_LABELS,
    CLIENT_STATUSES,
    REGISTRY_STATUS_LABELS,
    Client,
    ClientKind,
)
from models.identity.users import User
from models.platform.audit import VALUES_FIELD, field_values
from models.sales.funnels import Funnel, FunnelStage, LossReason

MOSCOW = ZoneInfo("Europe/Moscow")
CLIENT_FIELDS = {
    "kind": "Тип клиента", "full_name": "Полное наименование", "short_name": "Краткое наименование",
    "inn": "ИНН", "kpp": "КПП", "ogrn": "ОГРН", "legal_address": "Юридический адрес",
    "postal_address": "Почтовый адрес", "phone": "Телефон", "email": "E-mail",
    "extra_phones": "Доп. телефоны",
    "extra_emails": "Доп. e-mail", "industry": "Отрасль", "territory": "Территория", "segment": "Сегмент",
    "status": "Статус", "source": "Источник", "notes": "Заметки", "tags": "Теги", "head_name": "Руководитель",
    "head_position": "Должность руководителя", "registry_status": "Состояние в реестре",
    "registry_checked_at": "Проверен по реестру", "owner_id": "Ответственный",
}
DEAL_FIELDS = {
    "title": "Название", "client_id": "Клиент", "funnel_id": "Воронка", "stage_id": "Этап",
    "owner_id": "Ответственный", "status": "Статус", "amount": "Страховая сумма", "premium": "Премия",
    "probability": "Вероятность, %", "expected_close_date": "Ожидаемая дата закрытия",
    "product_lines": "Продукты", "competitor_offers": "Предложения конкурентов",
    "requested_discount": "Запрошенная скидка, %", "offer_expires_on": "КП действует до",
    "contract_number": "Номер договора", "contract_start": "Начало договора",
    "contract_end": "Окончание договора",
    "contract_premium": "Премия по договору", "loss_reason_id": "Причина проигрыша",
    "loss_comment": "Комментарий к проигрышу",
}
FIELDS = {"client": CLIENT_FIELDS, "deal": DEAL_FIELDS}
MASKED_VALUES_LABEL = "Поля карточки"  # an imported card's values row after the personal-data erasure
MONEY = frozenset({"amount", "premium", "contract_premium"})
DEAL_STATUSES = {"open": "Открыта", "won": "Выиграна", "lost": "Проиграна"}
ACTIONS = {"create": "Создана карточка", "update": "Изменены поля", "delete": "Карточка удалена"}


def money(value: Decimal) -> str:
    whole = f"{value.quantize(Decimal('0.01')):,.2f}".replace(",", " ").replace(".", ",")
    return (whole[:-3] if whole.endswith(",00") else whole) + " ₽"


def _named(session: Session, model: type, attr: str) -> Callable[[str], str]:
    def name(raw: str) -> str:
        row = session.get(model, int(raw)) if raw.isdigit() else None
        return getattr(row, attr) if row is not None else "—"
    return name


def _date_text(raw: str) -> str:
    try:
        if "T" in raw:
            return datetime.fromisoformat(raw).astimezone(MOSCOW).strftime("%d.%m.%Y %H:%M")
        return date.fromisoformat(raw).strftime("%d.%m.%Y")
    except ValueError:
        return raw


def _list_text(raw: str) -> str:
    try:
        items = json.loads(raw)
    except ValueError:
        return raw
    if not isinstance(items, list):
        return raw
    parts = []
    for item in items:
        if isinstance(item, dict):
            parts.append(" — ".join(str(v) for v in (item.get("who"), item.get("price")) if v))
        else:
            parts.append(str(item))
    return ", ".join(p for p in parts if p) or "—"


def value_text(session: Session, entity: str, name: str, raw: str | None) -> str:
    """A logged value as a person reads it."""
    if raw is None or raw == "":
        return "—"
    special: dict[str, Callable[[str], str]] = {
        "owner_id": _named(session, User, "full_name"),
        "stage_id": _named(session, FunnelStage, "name"),
        "funnel_id": _named(session, Funnel, "name"),
        "loss_reason_id": _named(session, LossReason, "name"),
        "client_id": _named(session, Client, "full_name"),
        "registry_status": lambda r: REGISTRY_STATUS_LABELS.get(r, r),
        "kind": lambda r: CLIENT_KIND_LABELS.get(ClientKind(r), r) if r in set(ClientKind) else r,
        "status": lambda r: (CLIENT_STATUSES if entity == "client" else DEAL_STATUSES).get(r, r),
    }
    if name in special:
        return special[name](raw)
    if name in MONEY:
        try:
            return money(Decimal(raw))
        except InvalidOperation:
            return raw
    if raw in ("true", "false"):
        return "да" if raw == "true" else "нет"
    if raw.startswith("["):
        return _list_text(raw)
    if len(raw) >= 10 and raw[4] == "-" and raw[7] == "-" and raw[:4].isdigit():
        return _date_text(raw)
    return raw


def change_lines(session: Session, entity: str, action: str,
                 rows: list[tuple[str, str | None, str | None]]) -> list[str]:
    """«Поле: было → стало» (or «Поле: значение» for a new card), known fields only, in the form's order."""
    labels = {**FIELDS[entity], VALUES_FIELD: MASKED_VALUES_LABEL} if entity in FIELDS else {}
    order = list(labels)
    lines = []
    triples = [t for r in rows for t in field_values(*r)]  # an imported card's one row holds all its fields
    for name, old, new in sorted((r for r in triples if r[0] in labels), key=lambda r: order.index(r[0])):
        if action == "create":
            lines.append(f"{labels[name]}: {value_text(session, entity, name, new)}")
        elif action == "delete":
            lines.append(f"{labels[name]}: {value_text(session, entity, name, old)}")
        else:
            lines.append(f"{labels[name]}: {value_text(session, entity, name, old)} → "
                         f"{value_text(session, entity, name, new)}")
    return lines
