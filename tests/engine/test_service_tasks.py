"""Service tasks: typed parameters, results in data, outbox after commit, incidents and retries."""

import sys
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from engine.errors import OperationError
from engine.operations import OperationContext
from engine.tables import Incident
from models.platform.outbox import OutboxMessage

REGISTRY_STATE = {"up": False, "calls": 0}


def flaky_registry(context: OperationContext, inn: str) -> dict:
    """Stands in for an outside registry that may be down (transient failure)."""
    REGISTRY_STATE["calls"] += 1
    if not REGISTRY_STATE["up"]:
        raise OperationError("Реестр недоступен: таймаут соединения", transient=True)
    return {"inn": inn, "status": "ACTIVE"}


def register(registry) -> None:
    """This module is a package of the test app: it declares its test operations."""
    registry.operation("test.flaky", flaky_registry)


@pytest.fixture
def extra_packages():
    return (sys.modules[__name__],)


@pytest.fixture(autouse=True)
def _registry_down():
    REGISTRY_STATE.update(up=False, calls=0)


def test_operation_result_lands_in_data_and_mail_waits_in_the_outbox(harness, session):
    harness.deploy("service_task.bpmn")
    instance = harness.start("service_task", {"base": "1000000", "rate": "0.015",
                                              "email": "client@example.ru"})
    assert instance.status == "completed"
    data = harness.data(instance)
    assert data["calc"] == {"premium": "15000.00"}
    assert Decimal(data["calc"]["premium"]) == Decimal("15000.00")
    [mail] = session.scalars(select(OutboxMessage)).all()
    assert mail.kind == "email" and mail.status == "pending"
    assert mail.payload == {"to": "client@example.ru", "subject": "Премия рассчитана",
                            "body": "Премия: 15000.00"}
    assert mail.instance_id == instance.id


def test_permanent_failure_leaves_an_incident_and_nothing_half_done(harness, session):
    harness.deploy("service_task.bpmn")
    instance = harness.start("service_task", {"base": "-1", "rate": "0.015", "email": "x@example.ru"})
    assert instance.status == "error"
    [incident] = session.scalars(select(Incident)).all()
    assert incident.element_id == "calc"
    assert "не могут быть отрицательными" in incident.error
    assert incident.transient is False and incident.next_retry_at is None
    assert session.scalars(select(OutboxMessage)).all() == []
    assert ("incident", "calc") in harness.events(instance.id)


def test_retry_after_the_cause_is_fixed_completes_the_instance(harness, session, demo_users):
    harness.deploy("flaky_service.bpmn")
    instance = harness.start("flaky_service", {"inn": "7707083893"})
    [incident] = session.scalars(select(Incident)).all()
    assert instance.status == "error" and incident.transient
    assert incident.next_retry_at == harness.clock.now() + timedelta(seconds=10)

    still_down = harness.engine().retry_incident(incident.id, demo_users["admin"].id)
    session.commit()
    assert still_down.status == "open" and still_down.attempts == 2

    REGISTRY_STATE["up"] = True
    resolved = harness.engine().retry_incident(incident.id, demo_users["admin"].id)
    session.commit()
    assert resolved.status == "resolved" and resolved.resolved_by_id == demo_users["admin"].id
    session.refresh(instance)
    assert instance.status == "completed"
    assert harness.data(instance)["answer"] == {"inn": "7707083893", "status": "ACTIVE"}
    assert REGISTRY_STATE["calls"] == 3


def test_transient_failures_are_retried_by_the_scheduler_with_back_off(harness, session):
    from engine.jobs import retry_due_incidents

    harness.deploy("flaky_service.bpmn")
    instance = harness.start("flaky_service", {"inn": "7707083893"})
    assert retry_due_incidents(harness.factory, harness.services) == 0  # back-off not over
    harness.clock.advance(timedelta(seconds=11))
    assert retry_due_incidents(harness.factory, harness.services) == 1
    session.expire_all()
    incident = session.scalars(select(Incident)).one()
    assert incident.attempts == 2
    assert incident.next_retry_at == harness.clock.now() + timedelta(seconds=20)
    REGISTRY_STATE["up"] = True
    harness.clock.advance(timedelta(seconds=21))
    assert retry_due_incidents(harness.factory, harness.services) == 1
    session.expire_all()
    assert session.get(type(instance), instance.id).status == "completed"
    assert session.scalars(select(Incident)).one().status == "resolved"


def test_failures_stop_retrying_after_the_configured_attempts(harness, session):
    from engine.jobs import retry_due_incidents

    harness.deploy("flaky_service.bpmn")
    harness.start("flaky_service", {"inn": "7707083893"})
    for _ in range(5):
        harness.clock.advance(timedelta(minutes=10))
        retry_due_incidents(harness.factory, harness.services)
    session.expire_all()
    incident = session.scalars(select(Incident)).one()
    assert incident.attempts == 3  # retries="3" in the diagram
    assert incident.status == "open" and incident.next_retry_at is None
