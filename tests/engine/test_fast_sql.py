"""The step's statements on the DB-API cursor (``engine.fast_sql``) behave as SQLAlchemy's own:
every listener sees them, the rows hold what SQLAlchemy would store, and a driver error is
SQLAlchemy's exception with nothing of the step left behind."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, event, insert, select
from sqlalchemy.exc import IntegrityError

from engine import fast_sql, rows
from engine.tables import HumanTask, ProcessEvent, TaskStatus

MOMENT = datetime(2026, 12, 1, 9, 30, 15, 250000, tzinfo=UTC)


def _event(instance_id: int, kind: str, detail: dict | None) -> dict:
    return dict(instance_id=instance_id, kind=kind, user_id=None, at=MOMENT, element_id="e",
                element_name="Элемент", element_type="UserTask", duration_ms=1.5, detail=detail)


def test_rows_hold_what_sqlalchemys_own_execution_stores(harness, session):
    harness.deploy("simple_user_task.bpmn")
    instance = harness.start("simple_user_task", {"company": "Ромашка"})
    conn = rows.connection(session)
    statement = insert(ProcessEvent)
    conn.execute(statement, [_event(instance.id, "by_core", {"шаг": 1}),
                             _event(instance.id, "by_core_none", None)])
    fast_sql.execute_many(conn, statement, [_event(instance.id, "by_fast", {"шаг": 1}),
                                           _event(instance.id, "by_fast_none", None)])
    session.flush()
    found = {e.kind: e for e in session.scalars(select(ProcessEvent).where(
        ProcessEvent.instance_id == instance.id, ProcessEvent.kind.like("by_%")))}
    for core, fast in (("by_core", "by_fast"), ("by_core_none", "by_fast_none")):
        assert (found[fast].at, found[fast].detail, found[fast].duration_ms, found[fast].element_name) == \
               (found[core].at, found[core].detail, found[core].duration_ms, found[core].element_name)
    assert found["by_fast"].at == MOMENT and found["by_fast"].detail == {"шаг": 1}
    assert found["by_fast_none"].detail is None


def test_every_statement_listener_sees_them(harness, engine, session):
    harness.deploy("simple_user_task.bpmn")
    seen: list[tuple[str, bool]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((" ".join(statement.split()).upper(), executemany))

    event.listen(engine, "before_cursor_execute", record)
    try:
        instance = harness.start("simple_user_task", {"company": "Ромашка"})
    finally:
        event.remove(engine, "before_cursor_execute", record)
    if engine.dialect.name == "sqlite":  # one row: one execute
        assert [many for text, many in seen if text.startswith("INSERT INTO HUMAN_TASK")] == [False]
    else:  # the new task rides in the instance's UPDATE, with the events
        [update] = [text for text, _ in seen if "UPDATE PROCESS_INSTANCE SET" in text]
        assert "INSERT INTO HUMAN_TASK" in update and "INSERT INTO PROCESS_EVENT" in update
        assert not [text for text, _ in seen if text.startswith("INSERT INTO HUMAN_TASK")]
    assert sum(text.startswith("INSERT INTO PROCESS_INSTANCE") for text, _ in seen) == 1
    if engine.dialect.name == "sqlite":  # several events: one executemany (PostgreSQL: in the UPDATE)
        assert [many for text, many in seen if text.startswith("INSERT INTO PROCESS_EVENT")] == [True]
    # On PostgreSQL the events ride in the UPDATE (a CTE before it)
    assert sum("UPDATE PROCESS_INSTANCE SET" in text for text, _ in seen) == 1
    assert instance.id and harness.open_tasks(instance.id)


def test_a_driver_error_is_sqlalchemys_and_leaves_nothing(harness, session):
    harness.deploy("simple_user_task.bpmn")
    instance = harness.start("simple_user_task", {"company": "Ромашка"})
    session.commit()
    [task] = harness.open_tasks(instance.id)
    before = session.scalar(select(HumanTask.id).order_by(HumanTask.id.desc()).limit(1))
    twin = {column.name: getattr(task, column.key) for column in HumanTask.__table__.c if column.name != "id"}
    twin["status"] = TaskStatus.OPEN

    with pytest.raises(IntegrityError):  # the same task uuid twice: the unique index refuses it
        rows.insert_tasks(session, [twin])
    session.rollback()

    assert session.scalar(select(HumanTask.id).order_by(HumanTask.id.desc()).limit(1)) == before
    assert [t.id for t in harness.open_tasks(instance.id)] == [task.id]


def test_statements_expanded_per_call_are_refused(session):
    expanding = select(HumanTask.id).where(HumanTask.id.in_(bindparam("ids", expanding=True)))
    with pytest.raises(ValueError, match="expanded per call"):
        fast_sql.execute(rows.connection(session), expanding, {"ids": [1, 2]})


def test_first_row_reads_what_sqlalchemys_own_result_gives(harness, session):
    harness.deploy("simple_user_task.bpmn")
    instance = harness.start("simple_user_task", {"company": "Ромашка"})
    conn = rows.connection(session)
    conn.execute(insert(ProcessEvent), [_event(instance.id, "read_me", {"шаг": 1}),
                                        _event(instance.id, "read_none", None)])
    columns = (ProcessEvent.at, ProcessEvent.detail, ProcessEvent.duration_ms, ProcessEvent.element_name,
               ProcessEvent.user_id)
    statement = select(*columns).where(ProcessEvent.kind == bindparam("kind"))
    for kind in ("read_me", "read_none"):
        by_sqlalchemy = tuple(conn.execute(statement, {"kind": kind}).one())
        assert fast_sql.first_row(conn, statement, {"kind": kind}) == by_sqlalchemy
    wanted = (MOMENT, {"шаг": 1}, 1.5, "Элемент", None)
    assert fast_sql.first_row(conn, statement, {"kind": "read_me"}) == wanted
    assert fast_sql.first_row(conn, statement, {"kind": "no_such"}) is None
