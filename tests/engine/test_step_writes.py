"""What one engine step writes: one instance UPDATE, events in one statement and in order,
subscriptions that follow the stored state, and specs cached per definition content."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import event, func, select

from engine.serialization import definition_specs
from engine.tables import ProcessEvent, Subscription
from models.platform.db import db
from tests.engine.conftest import BPMN, parse_files


class _Statements(list):
    """What ran, one entry per part: a statement's own verb and one per data-modifying CTE."""

    def __init__(self) -> None:
        super().__init__()
        self.full: list[str] = []

    def record(self, conn, cursor, statement, parameters, context, executemany):
        text = " ".join(statement.split()).upper()
        self.full.append(text)
        for verb in ("INSERT INTO PROCESS_EVENT", "UPDATE PROCESS_INSTANCE SET"):
            if verb in text:
                self.append(verb)
        if not any(verb in text for verb in ("INSERT INTO PROCESS_EVENT", "UPDATE PROCESS_INSTANCE SET")):
            self.append(" ".join(text.split()[:3]))


def _statements(bind) -> _Statements:
    seen = _Statements()
    event.listen(bind, "before_cursor_execute", seen.record)
    return seen


def test_completing_a_task_updates_the_instance_once_and_batches_events(harness, engine):
    harness.deploy("simple_user_task.bpmn")
    instance = harness.start("simple_user_task", {"company": "Ромашка"})
    task = harness.open_tasks(instance.id)[0]
    seen = _statements(engine)

    harness.complete(task, {"outcome": "qualified"})

    def statements_with(verb: str) -> list[int]:
        return [i for i, text in enumerate(seen.full) if verb in text]

    assert seen.count("UPDATE PROCESS_INSTANCE SET") == 1
    assert seen.count("INSERT INTO PROCESS_EVENT") == 1
    if engine.dialect.name == "postgresql":  # the events ride in the instance UPDATE: one round trip
        assert statements_with("INSERT INTO PROCESS_EVENT") == statements_with("UPDATE PROCESS_INSTANCE SET")
    kinds = [kind for kind, _ in harness.events(instance.id)]
    assert kinds[0] == "instance_started" and kinds[-1] == "instance_completed"
    assert kinds.index("user_task_completed") < kinds.index("instance_completed")
    # Stored as SQLAlchemy's JSON type stores them on both databases: no detail is JSON null.
    sql_nulls = harness.session.scalar(select(func.count()).select_from(ProcessEvent).where(
        ProcessEvent.instance_id == instance.id, ProcessEvent.detail.is_(None)))
    assert sql_nulls == 0


def test_events_are_written_at_commit_and_dropped_on_rollback(harness):
    harness.deploy("simple_user_task.bpmn")
    instance = harness.start("simple_user_task", {"company": "Ромашка"})
    engine = harness.engine()

    engine.event(instance, "kept", None)
    harness.session.commit()
    engine.event(instance, "dropped", None)
    harness.session.rollback()
    harness.session.commit()

    kinds = list(harness.session.scalars(select(ProcessEvent.kind).where(
        ProcessEvent.instance_id == instance.id)))
    assert "kept" in kinds and "dropped" not in kinds


def test_subscriptions_follow_what_the_stored_state_waits_for(harness):
    harness.deploy("message_wait.bpmn")
    instance = harness.start("message_wait", {}, correlation={"deal_id": 5})
    rows = harness.session.scalars(select(Subscription).where(Subscription.instance_id == instance.id))
    assert [(s.kind, s.name, s.correlation) for s in rows] == [
        ("message", "payment_received", {"deal_id": 5})]

    harness.engine().send_message("payment_received", {"deal_id": 5}, {"amount": "100"}, None)
    harness.session.commit()

    harness.session.refresh(instance)
    assert instance.status == "completed"
    assert harness.session.scalars(select(Subscription).where(
        Subscription.instance_id == instance.id)).all() == []


def test_spec_cache_tells_apart_definitions_that_reuse_an_id():
    parsed = {p.key: p for p in parse_files([BPMN / "simple_user_task.bpmn", BPMN / "message_wait.bpmn"])}
    first = SimpleNamespace(id=1, content_hash=parsed["simple_user_task"].content_hash,
                            spec_json=parsed["simple_user_task"].spec_json)
    reused = SimpleNamespace(id=1, content_hash=parsed["message_wait"].content_hash,
                             spec_json=parsed["message_wait"].spec_json)

    assert definition_specs(first)[0].name == "simple_user_task"
    assert definition_specs(reused)[0].name == "message_wait"
    assert definition_specs(first)[0] is definition_specs(first)[0]


def test_events_reach_the_database_through_the_request_session(app, harness):
    harness.deploy("simple_user_task.bpmn")
    instance_id = harness.start("simple_user_task", {"company": "Ромашка"}).id

    with app.app_context():  # Flask-SQLAlchemy's own Session class, as in a request
        engine = harness.engine(db.session)
        engine.event(engine.instance(instance_id), "from_request", None)
        db.session.commit()

    assert harness.session.scalar(select(ProcessEvent.kind).where(
        ProcessEvent.instance_id == instance_id, ProcessEvent.kind == "from_request")) == "from_request"
