"""Triggers: on a domain event, start a process or send it a message — configured as data.

A trigger names the event (``models.platform.events.EVENTS``), a condition (a sandboxed
expression over the event's fields, e.g. ``to_stage == "negotiation"``), the action (start
process ``process_key``, or send message ``message_name`` correlated by the event's
business object, e.g. ``deal_id``) and a mapping (process variable → expression over the
fields). When a service publishes the event, ``on_event`` records a pending firing for each
active trigger whose condition holds, in the same unit of work as the change; the
scheduler job ``studio_triggers`` then starts the process or sends the message, each firing
in its own unit of work, and records what it started (or why it failed) in the trigger's
log. A broken trigger never breaks the change that published the event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, String, bindparam, select
from sqlalchemy.orm import Session

from engine.errors import EngineError, ScriptError
from engine.ports import EngineServices
from engine.sandbox import check_code, evaluate
from models.identity.users import User
from models.platform.events import EVENTS, DomainEvent
from models.platform.jobs import JobContext, claim, run_unit
from models.platform.kept import kept, watch
from models.platform.permissions import Permission, require
from models.studio.errors import StudioError
from models.studio.tables import FiringStatus, ProcessTrigger, TriggerAction, TriggerFiring

watch(ProcessTrigger)

_DELIVERY = {
    "delivered": "доставлено ожидающим экземплярам",
    "started": "сообщение запустило процесс",
    "unmatched": "никто не ждал это сообщение; оно сохранено",
}
BATCH = 100


@dataclass
class TriggerInput:
    name: str
    event: str
    action: str
    process_key: str | None
    message_name: str | None
    mapping: dict[str, str]
    condition: str | None
    active: bool = True


def _check(data: TriggerInput, known_process: Callable[[str], bool]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = "Назовите триггер"
    if data.event not in EVENTS:
        errors["event"] = "Выберите событие из списка"
    if data.action == TriggerAction.START:
        if not data.process_key or not known_process(data.process_key):
            errors["process_key"] = "Выберите развёрнутый процесс"
    elif data.action == TriggerAction.MESSAGE:
        if not (data.message_name or "").strip():
            errors["message_name"] = "Укажите имя сообщения"
    else:
        errors["action"] = "Действие: запустить процесс или отправить сообщение"
    if data.condition and data.condition.strip():
        problem = check_code(data.condition.strip(), "eval")
        if problem:
            errors["condition"] = f"Условие не допускается: {problem}"
    for variable, expression in data.mapping.items():
        if not variable.isidentifier() or variable.startswith("_"):
            errors["mapping"] = f"Имя переменной «{variable}»: латиница, цифры и «_», не с «_»"
        problem = check_code(str(expression), "eval")
        if problem:
            errors["mapping"] = f"Выражение для «{variable}» не допускается: {problem}"
    return errors


def save_trigger(
    session: Session,
    actor: User,
    data: TriggerInput,
    now: datetime,
    known_process: Callable[[str], bool],
    trigger_id: int | None = None,
) -> ProcessTrigger:
    """Create or change a trigger (audited); ``StudioError`` with the fields at fault."""
    require(actor, Permission.EDIT_PROCESSES)
    errors = _check(data, known_process)
    if errors:
        raise StudioError(
            "Триггер не сохранён: " + "; ".join(errors.values()),
            problems=[{"element": k, "message": v} for k, v in errors.items()],
        )
    trigger = (
        get_trigger(session, trigger_id)
        if trigger_id
        else ProcessTrigger(created_by_id=actor.id, created_at=now)
    )
    trigger.name = data.name.strip()
    trigger.event = data.event
    trigger.action = data.action
    trigger.process_key = data.process_key if data.action == TriggerAction.START else None
    trigger.message_name = (
        (data.message_name or "").strip() or None if data.action == TriggerAction.MESSAGE else None
    )
    trigger.mapping = {k: str(v) for k, v in data.mapping.items()}
    trigger.condition = (data.condition or "").strip() or None
    trigger.active = data.active
    trigger.updated_at = now
    session.add(trigger)
    session.flush()
    return trigger


def get_trigger(session: Session, trigger_id: int) -> ProcessTrigger:
    trigger = session.get(ProcessTrigger, trigger_id)
    if trigger is None:
        raise StudioError("Триггер не найден", status=404)
    return trigger


def triggers(session: Session) -> list[ProcessTrigger]:
    return list(session.scalars(select(ProcessTrigger).order_by(ProcessTrigger.event, ProcessTrigger.id)))


def trigger_log(session: Session, trigger_id: int | None = None, limit: int = 100) -> list[TriggerFiring]:
    stmt = select(TriggerFiring).order_by(TriggerFiring.id.desc()).limit(limit)
    if trigger_id is not None:
        stmt = stmt.where(TriggerFiring.trigger_id == trigger_id)
    return list(session.scalars(stmt))


@cache
def _active_of_event() -> Select[Any]:
    """The active triggers of the bound ``event``, built once: every published event asks it."""
    return (select(ProcessTrigger.id, ProcessTrigger.condition, ProcessTrigger.mapping)
            .where(ProcessTrigger.event == bindparam("event", type_=String), ProcessTrigger.active.is_(True))
            .order_by(ProcessTrigger.id))


@dataclass(frozen=True)
class ActiveTrigger:
    """What firing needs of an active trigger, kept between requests (``models.platform.kept``)."""

    id: int
    condition: str | None
    mapping: dict[str, str]


def _active(session: Session, event: str) -> tuple[ActiveTrigger, ...]:
    """Active triggers of ``event``: every published event asks, an analyst changes them rarely."""
    return kept(session, ProcessTrigger.__tablename__, event, lambda: tuple(
        ActiveTrigger(id_, condition, dict(mapping or {}))
        for id_, condition, mapping in session.execute(_active_of_event(), {"event": event})))


def _mapped(trigger: ActiveTrigger, payload: dict[str, Any]) -> dict[str, Any]:
    data = dict(payload)
    for variable, expression in (trigger.mapping or {}).items():
        data[variable] = evaluate(expression, payload)
    return data


def on_event(session: Session, event: DomainEvent) -> None:
    """Record a pending firing for each active trigger of the event whose condition holds."""
    for trigger in _active(session, event.name):
        firing = TriggerFiring(
            trigger_id=trigger.id,
            event=event.name,
            payload=_jsonable(event.payload),
            status=FiringStatus.PENDING,
            instance_ids=[],
            created_at=event.at,
        )
        try:
            if trigger.condition and not evaluate(trigger.condition, dict(event.payload)):
                continue
            firing.data = _jsonable(_mapped(trigger, event.payload))
        except (ScriptError, EngineError, Exception) as exc:  # a broken trigger is logged, the change goes on
            firing.status = FiringStatus.FAILED
            firing.message = f"Условие или сопоставление не вычислилось: {exc}"
            firing.done_at = event.at
            firing.data = {}
        session.add(firing)


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    from engine.jsonable import to_jsonable

    return to_jsonable(values)


def fire(session: Session, services: EngineServices, firing: TriggerFiring) -> None:
    """Start the process or send the message of one pending firing, and log the outcome."""
    trigger = session.get(ProcessTrigger, firing.trigger_id)
    engine = services.engine(session)
    now = services.clock.now()
    kind = EVENTS.get(firing.event)
    business_id = (firing.payload or {}).get(kind.business_field) if kind else None
    try:
        if trigger is None:
            raise StudioError("триггер удалён")
        if trigger.action == TriggerAction.START:
            instance = engine.start(
                trigger.process_key or "",
                dict(firing.data or {}),
                business_type=kind.business_type if kind and business_id else None,
                business_id=business_id,
                title=None,
            )
            firing.instance_ids = [instance.id]
            firing.status = FiringStatus.STARTED
        else:
            correlation = {kind.business_field: business_id} if kind and business_id is not None else {}
            delivery = engine.send_message(trigger.message_name or "", correlation, dict(firing.data or {}))
            firing.instance_ids = list(delivery.instance_ids)
            firing.status = FiringStatus.SENT
            firing.message = _DELIVERY.get(delivery.status, delivery.status)
    except (EngineError, StudioError) as exc:
        firing.status = FiringStatus.FAILED
        firing.message = getattr(exc, "message", str(exc))
    firing.done_at = now


def run_pending(context: JobContext) -> int:
    """The scheduler job: each pending firing in its own unit of work."""
    services = EngineServices.from_registry(context.registry, context.clock, context.settings)
    with context.session_factory() as session:
        ids = list(
            session.scalars(
                select(TriggerFiring.id)
                .where(TriggerFiring.status == FiringStatus.PENDING)
                .order_by(TriggerFiring.id)
                .limit(BATCH)
            )
        )

    def work_for(firing_id: int) -> Callable[[Session], bool]:
        def work(session: Session) -> bool:
            firing = claim(
                session,
                select(TriggerFiring).where(
                    TriggerFiring.id == firing_id, TriggerFiring.status == FiringStatus.PENDING
                ),
            )
            if firing is None:
                return False
            fire(session, services, firing)
            return True

        return work

    return sum(bool(run_unit(context.session_factory, work_for(i))) for i in ids)
