"""The registry as a service task: data lands in the process, outages are retried, not fatal."""

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from engine.api import ProcessEngine
from engine.bundle import Bundle
from engine.tables import Incident
from web.engine_support import engine_services

BPMN = Path(__file__).parent / "bpmn"


def _engine(app, session, clock) -> ProcessEngine:
    return engine_services(app).engine(session)


def deploy(app, session) -> None:
    _engine(app, session, None).deploy(Bundle.from_paths([BPMN], app.extensions["crm.settings"].forms_dir))


def test_lookup_lands_in_the_process_data(app, session, clock, registry):
    registry.add("7736050003", "Газпром Трейд", status="LIQUIDATING")
    deploy(app, session)
    engine = _engine(app, session, clock)
    instance = engine.start("registry_check", {"inn": "7736050003"})
    session.commit()
    assert instance.status == "completed"
    company = engine.load(instance).last_task.data["company"]
    assert company["found"] and company["flagged"] and company["status"] == "LIQUIDATING"
    assert registry.requests[0]["body"] == {"query": "7736050003"}


def test_a_slow_registry_is_a_transient_incident_retried_later(app, session, clock, registry):
    deploy(app, session)
    registry.delay = 2.0  # the operation gives up after CRM_REGISTRY_TIMEOUT (0.5 s in tests)
    instance = _engine(app, session, clock).start("registry_check", {"inn": "7707083893"})
    session.commit()
    incident = session.scalars(select(Incident)).one()
    assert instance.status == "error" and incident.transient
    assert "не ответил" in incident.error
    assert incident.next_retry_at == clock.now() + timedelta(seconds=60)
    registry.delay = 0
    _engine(app, session, clock).retry_incident(incident.id, None)
    session.commit()
    assert incident.status == "resolved" and instance.status == "completed"


def test_a_malformed_inn_is_a_permanent_incident(app, session, clock, registry):
    deploy(app, session)
    instance = _engine(app, session, clock).start("registry_check", {"inn": "7707083894"})
    session.commit()
    incident = session.scalars(select(Incident)).one()
    assert instance.status == "error" and not incident.transient
    assert incident.error == "Неверная контрольная цифра ИНН"
    assert registry.requests == []
