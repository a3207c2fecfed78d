"""The task to complete, read by one Core statement (``engine.loaded``): the objects are those an
ORM query would give — the session's own where it has them, loaded values, relationships set —
and nothing pending in the session is read past."""

from __future__ import annotations

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from engine import loaded
from engine.tables import HumanTask, ProcessDefinition, ProcessInstance


def _started(harness, session):
    harness.deploy("simple_user_task.bpmn")
    instance = harness.start("simple_user_task", {"company": "Ромашка"})
    session.commit()
    [task] = harness.open_tasks(instance.id)
    return instance.id, task.id


def _columns(obj) -> dict:
    return {c.key: getattr(obj, c.key) for c in type(obj).__mapper__.column_attrs if not c.deferred}


def test_objects_hold_what_an_orm_query_loads_and_need_no_more_statements(harness, engine, session):
    instance_id, task_id = _started(harness, session)
    with Session(engine) as fresh, Session(engine) as orm:
        statements: list[str] = []

        def record(conn, cursor, statement, *rest) -> None:
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            task = loaded.task_with_instance(fresh, task_id)
            assert task is not None
            instance, definition = task.instance, task.instance.definition
            read = (_columns(task), _columns(instance), _columns(definition))
        finally:
            event.remove(engine, "before_cursor_execute", record)
        assert len(statements) == 1  # task, instance and version in one statement
        wanted = orm.get(HumanTask, task_id)
        assert read == (_columns(wanted), _columns(wanted.instance), _columns(wanted.instance.definition))
        assert instance.id == instance_id and isinstance(definition, ProcessDefinition)
        assert not fresh.dirty and not fresh.new  # loaded, nothing to write
        assert "simple_user_task" in definition.source_xml  # deferred: loads when read


def test_the_sessions_own_objects_win_and_its_pending_changes_are_flushed_first(harness, engine, session):
    instance_id, task_id = _started(harness, session)
    with Session(engine) as fresh:
        mine = fresh.get(ProcessInstance, instance_id)
        mine.title = "Переименован до выполнения"  # pending, not flushed
        task = loaded.task_with_instance(fresh, task_id)
        assert task is not None and task.instance is mine
        assert fresh.connection().scalar(select(ProcessInstance.title).where(
            ProcessInstance.id == instance_id)) == "Переименован до выполнения"
        fresh.rollback()


def test_an_unknown_task_is_none(harness, session):
    _started(harness, session)
    assert loaded.task_with_instance(session, 10**9) is None
