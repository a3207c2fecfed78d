"""Churn risk of a contract: signals with their reasons, a score, a zone, and the senior manager pulled in.

Signals (each with the weight it adds and a reason a person can check):
- loss ratio of the client's product over three years above ``loss_ratio_pct`` (insurance);
- complaints — activities of kind «жалоба» — within ``complaint_days``;
- the decision-maker changed within ``dm_days`` (a contact's ЛПР flag changed, from the audit log);
- overdue payments of the contract;
- the client flagged by a registry or the risk index (``client.registry_flag``);
- no activity with the client for ``silence_days``.
The score is the sum of the weights; ``yellow_from``/``red_from`` cut it into zones. Every
threshold and weight is configurable (``contract_risk_setting``, defaults below). A contract
entering the red zone gives its senior manager the task «Подключиться к переговорам» with the
reasons — once per contract per zone change (``ContractRisk.alerted_zone``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from models.clients.cards import Client, Contact
from models.contracts.contracts import Contract, ContractPayment
from models.contracts.people import senior_for
from models.contracts.renewals import ContractRenewal, ContractRisk, RiskSetting
from models.insurance.service import loss_ratio
from models.notifications.service import notify
from models.platform.audit import AuditLog
from models.sales.activities import Activity
from models.tasks.adhoc import TaskInput, create_task

DEFAULTS: dict[str, int] = {
    "loss_ratio_pct": 70,
    "complaint_days": 180,
    "dm_days": 90,
    "silence_days": 30,
    "weight_loss_ratio": 40,
    "weight_complaint": 25,
    "weight_dm_changed": 30,
    "weight_overdue": 25,
    "weight_registry": 20,
    "weight_silence": 15,
    "yellow_from": 30,
    "red_from": 60,
}
SETTING_LABELS = {
    "loss_ratio_pct": "Порог убыточности, %",
    "complaint_days": "Жалобы за, дней",
    "dm_days": "Смена ЛПР за, дней",
    "silence_days": "Нет активности, дней",
    "weight_loss_ratio": "Вес: убыточность",
    "weight_complaint": "Вес: жалобы",
    "weight_dm_changed": "Вес: смена ЛПР",
    "weight_overdue": "Вес: просроченные платежи",
    "weight_registry": "Вес: отметка реестра / индекс риска",
    "weight_silence": "Вес: нет активности",
    "yellow_from": "Жёлтая зона от, баллов",
    "red_from": "Красная зона от, баллов",
}
ZONE_LABELS = {"green": "Зелёная", "yellow": "Жёлтая", "red": "Красная"}
JOIN_TITLE = "Подключиться к переговорам"


class RiskSettingsError(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        self.message = "Пороги риска не прошли проверку"
        super().__init__(self.message)


def settings(session: Session) -> dict[str, int]:
    """The thresholds and weights in force: the stored ones over the defaults."""
    stored = {key: value for key, value in session.execute(select(RiskSetting.key, RiskSetting.value))}
    return {key: int(stored.get(key, default)) for key, default in DEFAULTS.items()}


def save_settings(session: Session, values: dict[str, object]) -> dict[str, int]:
    """Store changed thresholds (whole numbers ≥ 0; red above yellow); ``RiskSettingsError`` otherwise."""
    errors: dict[str, list[str]] = {}
    parsed: dict[str, int] = {}
    for key, raw in values.items():
        if key not in DEFAULTS:
            errors[key] = ["Неизвестный порог"]
            continue
        text = str(raw).strip()
        if not text.isdigit() or int(text) > 100000:
            errors[key] = ["Ожидается целое число от 0"]
            continue
        parsed[key] = int(text)
    merged = settings(session) | parsed
    if not errors and merged["red_from"] <= merged["yellow_from"]:
        errors["red_from"] = ["Красная зона должна начинаться выше жёлтой"]
    if errors:
        raise RiskSettingsError(errors)
    for key, value in parsed.items():
        row = session.get(RiskSetting, key)
        if row is None:
            session.add(RiskSetting(key=key, value=value))
        else:
            row.value = value
    session.flush()
    return merged


@dataclass(frozen=True)
class Signal:
    code: str
    label: str
    reason: str
    weight: int

    def as_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "reason": self.reason, "weight": self.weight}


def _day(value: date | datetime) -> str:
    return f"{value:%d.%m.%Y}"


def _loss_ratio(session: Session, contract: Contract, today: date, cfg: dict[str, int]) -> Signal | None:
    ratio = loss_ratio(session, contract.client_id, contract.product, today)
    if ratio is None or ratio <= Decimal(cfg["loss_ratio_pct"]):
        return None
    shown = f"{ratio:.0f}"
    return Signal(
        "loss_ratio",
        "Высокая убыточность",
        f"убыточность по «{contract.product}» за 3 года {shown} % > {cfg['loss_ratio_pct']} %",
        cfg["weight_loss_ratio"],
    )


def _complaints(session: Session, contract: Contract, now: datetime, cfg: dict[str, int]) -> Signal | None:
    since = now - timedelta(days=cfg["complaint_days"])
    count, last = session.execute(
        select(func.count(Activity.id), func.max(Activity.happened_at)).where(
            Activity.client_id == contract.client_id,
            Activity.kind == "complaint",
            Activity.happened_at >= since,
        )
    ).one()
    if not count:
        return None
    return Signal(
        "complaint",
        "Жалобы клиента",
        f"жалоб за {cfg['complaint_days']} дней: {count} (последняя {_day(last)})",
        cfg["weight_complaint"],
    )


def _dm_changed(session: Session, contract: Contract, now: datetime, cfg: dict[str, int]) -> Signal | None:
    since = now - timedelta(days=cfg["dm_days"])
    contacts = select(cast(Contact.id, String)).where(Contact.client_id == contract.client_id)
    row = session.execute(
        select(AuditLog.at, AuditLog.entity_id)
        .where(
            AuditLog.entity_type == "contact",
            AuditLog.field == "is_decision_maker",
            AuditLog.action == "update",
            AuditLog.at >= since,
            AuditLog.entity_id.in_(contacts),
        )
        .order_by(AuditLog.at.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    contact = session.get(Contact, int(row.entity_id))
    who = f": {contact.full_name}" if contact is not None and contact.is_decision_maker else ""
    return Signal(
        "dm_changed",
        "Сменился ЛПР",
        f"ЛПР сменился {_day(row.at)}{who} (за последние {cfg['dm_days']} дней)",
        cfg["weight_dm_changed"],
    )


def _overdue(session: Session, contract: Contract, today: date, cfg: dict[str, int]) -> Signal | None:
    count, total, first = session.execute(
        select(
            func.count(ContractPayment.id), func.sum(ContractPayment.amount), func.min(ContractPayment.due_on)
        ).where(
            ContractPayment.contract_id == contract.id,
            ContractPayment.paid_on.is_(None),
            ContractPayment.due_on < today,
        )
    ).one()
    if not count:
        return None
    money = f"{Decimal(total):,.2f}".replace(",", " ").replace(".", ",")
    return Signal(
        "overdue",
        "Просрочены платежи",
        f"просрочено платежей: {count} на {money} ₽ (с {_day(first)})",
        cfg["weight_overdue"],
    )


def _registry(client: Client, cfg: dict[str, int]) -> Signal | None:
    if not client.registry_flag:
        return None
    status = getattr(client, "registry_status", None) or "отметка реестра"
    return Signal(
        "registry", "Отметка реестра / индекс риска", f"клиент отмечен: {status}", cfg["weight_registry"]
    )


def _silence(session: Session, contract: Contract, now: datetime, cfg: dict[str, int]) -> Signal | None:
    last = session.scalar(
        select(func.max(Activity.happened_at)).where(Activity.client_id == contract.client_id)
    )
    if last is not None and now - last <= timedelta(days=cfg["silence_days"]):
        return None
    text = f"последняя {_day(last)}, {(now - last).days} дн. назад" if last else "активностей нет"
    return Signal(
        "silence",
        "Нет активности",
        f"нет активности больше {cfg['silence_days']} дней ({text})",
        cfg["weight_silence"],
    )


def assess(
    session: Session, contract: Contract, now: datetime, cfg: dict[str, int] | None = None
) -> tuple[int, str, list[Signal]]:
    """(score, zone, signals) of ``contract`` at ``now``."""
    cfg = cfg or settings(session)
    today = now.date()
    found = [
        _loss_ratio(session, contract, today, cfg),
        _complaints(session, contract, now, cfg),
        _dm_changed(session, contract, now, cfg),
        _overdue(session, contract, today, cfg),
        _registry(contract.client, cfg),
        _silence(session, contract, now, cfg),
    ]
    signals = [s for s in found if s is not None]
    score = sum(s.weight for s in signals)
    zone = "red" if score >= cfg["red_from"] else "yellow" if score >= cfg["yellow_from"] else "green"
    return score, zone, signals


def _pull_in_senior(
    session: Session, contract: Contract, risk: ContractRisk, now: datetime, grace: timedelta
) -> int:
    senior = senior_for(session, contract.owner)
    renewal = session.scalar(select(ContractRenewal).where(ContractRenewal.contract_id == contract.id))
    deal_id = renewal.deal_id if renewal is not None else None
    reasons = "\n".join(f"- {s['label']}: {s['reason']}" for s in risk.signals)
    client = contract.client.display_name
    task = create_task(
        session,
        TaskInput(
            title=f"{JOIN_TITLE}: {client}, договор № {contract.number}",
            description=(
                f"Договор № {contract.number} ({contract.product}) заканчивается {_day(contract.ends_on)}; "
                f"риск ухода — красная зона ({risk.score} баллов). Причины:\n{reasons}"
            ),
            assignee_id=senior.id if senior else None,
            department=None if senior else "sales",
            business_type="deal" if deal_id else "client",
            business_id=deal_id or contract.client_id,
            due_at=now + timedelta(days=2),
            priority=1,
        ),
        None,
        now,
        grace,
    )
    notify(
        session,
        senior.id if senior else None,
        "churn_risk",
        f"Красная зона: {client}, договор № {contract.number}",
        f"Риск ухода клиента {client} (договор № {contract.number}, {contract.product}) — красная зона. "
        f"Причины:\n{reasons}",
        now,
        object_type="contract",
        object_id=contract.id,
        dedupe_key=f"churn:{contract.id}:{task.id}",
    )
    return task.id


def apply(
    session: Session,
    contract: Contract,
    now: datetime,
    *,
    grace: timedelta,
    cfg: dict[str, int] | None = None,
) -> ContractRisk:
    """Assess ``contract`` and store the result; a new red zone pulls the senior manager in once."""
    score, zone, signals = assess(session, contract, now, cfg)
    risk = session.get(ContractRisk, contract.id)
    if risk is None:
        risk = ContractRisk(contract_id=contract.id, zone_since=now, assessed_on=now.date())
        session.add(risk)
    if risk.zone != zone:
        risk.zone_since = now
    risk.score, risk.zone, risk.signals, risk.assessed_on = (
        score,
        zone,
        [s.as_dict() for s in signals],
        now.date(),
    )
    if zone == "red" and risk.alerted_zone != "red":
        risk.alert_task_id = _pull_in_senior(session, contract, risk, now, grace)
        risk.alerted_zone = "red"
    elif zone != "red":
        risk.alerted_zone = zone
    session.flush()
    return risk
