"""Messages (to instances matched by correlation keys) and signals (to every listener).

A message is matched against subscriptions by name (an index lookup), then by the
correlation keys the sender gives (e.g. ``{"deal_id": 42}``), compared with the keys the
waiting instance recorded (its business object and the message's correlation
properties). If no waiting instance catches it (one whose due timer won an event-based
gateway does not), a process with a matching message start event is started.
Otherwise the message is stored as ``unmatched`` and reported back — never dropped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition, SignalEventDefinition
from sqlalchemy import select

from engine.jsonable import to_jsonable
from engine.runtime import Runtime, step
from engine.tables import ProcessDefinition, ProcessMessage, Subscription

log = logging.getLogger(__name__)


@dataclass
class Delivery:
    status: str  # delivered | started | unmatched
    instance_ids: list[int] = field(default_factory=list)
    message_id: int | None = None

    def as_dict(self) -> dict:
        return {"status": self.status, "instance_ids": self.instance_ids, "message_id": self.message_id}


def _matches(subscription: Subscription, correlation: dict) -> bool:
    recorded = subscription.correlation or {}
    return all(k in recorded and str(recorded[k]) == str(v) for k, v in correlation.items())


def _start_by_message(engine: Runtime, name: str, correlation: dict, payload: dict,
                      user_id: int | None) -> list[int]:
    keys = set()
    for definition in engine.session.scalars(select(ProcessDefinition)):
        if name in (definition.meta or {}).get("message_starts", []):
            keys.add(definition.key)
    started = []
    for key in sorted(keys):
        instance = engine.start(key, {**payload}, user_id=user_id, correlation=correlation,
                                fire_start_timer=False, message_start=(name, payload))
        started.append(instance.id)
    return started


@step
def send_message(engine: Runtime, name: str, correlation: dict, payload: dict,
                 user_id: int | None) -> Delivery:
    """Deliver message ``name`` to waiting instances, or start one, or record it as unmatched."""
    from engine.steps import deliver

    subscriptions = engine.session.scalars(
        select(Subscription).where(Subscription.kind == "message", Subscription.name == name)
        .order_by(Subscription.instance_id)
    ).all()
    targets = sorted({s.instance_id for s in subscriptions if _matches(s, correlation)})
    delivered = []
    for instance_id in targets:
        if deliver(engine, engine.instance(instance_id), MessageEventDefinition(name), payload, user_id):
            delivered.append(instance_id)
    status = "delivered"
    if not delivered:
        delivered = _start_by_message(engine, name, correlation, payload, user_id)
        status = "started" if delivered else "unmatched"
    if status == "unmatched":
        log.warning("message %s %s matched no instance", name, correlation)
    row = ProcessMessage(kind="message", name=name, correlation=to_jsonable(correlation),
                         payload=to_jsonable(payload), status=status, instance_ids=delivered,
                         received_at=engine.clock.now(), sender_id=user_id)
    engine.session.add(row)
    engine.flush()
    from engine.steps import route_thrown

    route_thrown(engine)
    return Delivery(status, delivered, row.id)


@step
def broadcast_signal(engine: Runtime, name: str, payload: Any, user_id: int | None) -> Delivery:
    """Deliver signal ``name`` to every instance waiting for it."""
    from engine.steps import deliver

    waiting = sorted(set(engine.session.scalars(
        select(Subscription.instance_id).where(Subscription.kind == "signal", Subscription.name == name))))
    signal = SignalEventDefinition(name)
    targets = [instance_id for instance_id in waiting
               if deliver(engine, engine.instance(instance_id), signal, payload, user_id)]
    row = ProcessMessage(kind="signal", name=name, correlation={}, payload=to_jsonable(payload or {}),
                         status="delivered" if targets else "unmatched", instance_ids=targets,
                         received_at=engine.clock.now(), sender_id=user_id)
    engine.session.add(row)
    engine.flush()
    return Delivery(row.status, targets, row.id)
