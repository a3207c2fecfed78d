"""A start knows the newest version without asking (``engine.newest``) and is never fooled by it:
a version deployed elsewhere since, or a database emptied and filled again under the same
address, still gives the instance the version a query would have named."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from engine.errors import NotFound
from tests.conftest import _empty_all_tables
from tests.engine.conftest import BPMN, make_legacy_version


def _definition_reads(bind) -> list[str]:
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "FROM process_definition" in statement:
            seen.append(statement)

    event.listen(bind, "before_cursor_execute", record)
    return seen


def _changed(tmp_path, factor: int):
    path = tmp_path / "simple_user_task.bpmn"
    path.write_text((BPMN / "simple_user_task.bpmn").read_text().replace(
        "score = len(company) * 2", f"score = len(company) * {factor}"))
    return path


def test_a_start_on_a_known_version_reads_no_version(harness, engine):
    harness.deploy("simple_user_task.bpmn")
    harness.start("simple_user_task", {"company": "Ромашка"})
    reads = _definition_reads(engine)

    instance = harness.start("simple_user_task", {"company": "Ромашка"})

    assert reads == []
    assert instance.definition.version == 1
    assert instance.title == instance.definition.name


def test_a_version_deployed_by_another_worker_is_the_one_started(harness, session, tmp_path):
    harness.deploy("simple_user_task.bpmn")
    harness.start("simple_user_task", {"company": "Ромашка"})
    with harness.factory() as elsewhere:  # another worker's session deploys version 2
        harness.deploy_paths([_changed(tmp_path, 100)], session=elsewhere)
        elsewhere.commit()

    instance = harness.start("simple_user_task", {"company": "Ромашка"})

    assert instance.definition.version == 2
    harness.complete(harness.open_tasks(instance.id)[0], {"outcome": "qualified"})
    assert harness.data(instance)["score"] == 700  # version 2's script ran


def test_an_emptied_and_refilled_database_is_not_taken_for_the_old_one(app, harness, session, tmp_path):
    harness.deploy("simple_user_task.bpmn")
    harness.start("simple_user_task", {"company": "Ромашка"})
    with app.app_context():
        _empty_all_tables()
    with pytest.raises(NotFound):  # the key has no version any more: nothing is inserted
        harness.start("simple_user_task", {"company": "Ромашка"})
    session.rollback()
    harness.deploy_paths([_changed(tmp_path, 3)])  # the same id and number, another content
    session.commit()

    instance = harness.start("simple_user_task", {"company": "Ромашка"})

    harness.complete(harness.open_tasks(instance.id)[0], {"outcome": "qualified"})
    assert harness.data(instance)["score"] == 21


def test_a_refilled_database_whose_version_differs_only_in_meta_is_read_again(app, harness, session):
    """Same id, content hash and number, but this time with its forms stored: the kept copy of a
    legacy row (no ``forms_stored`` flag, forms read from disk) must not stand in for it."""
    from engine import newest

    newest._kept.clear()  # a worker that has kept nothing yet: its first start reads the legacy row
    harness.deploy("simple_user_task.bpmn")
    make_legacy_version(session)
    session.expunge_all()
    harness.start("simple_user_task", {"company": "Ромашка"})  # kept: the row without the flag
    with app.app_context():
        _empty_all_tables()
    harness.deploy("simple_user_task.bpmn")  # the same id, hash and number, forms stored
    session.expunge_all()  # the start meets the version through its kept copy, not this session's

    engine = harness.engine()
    instance = engine.start("simple_user_task", {"company": "Ромашка"})  # one transaction, as a request
    assert instance.definition.meta.get("forms_stored")
    [task] = engine.instance_summary(instance.id).tasks
    engine.complete_task(task.id, {"outcome": "qualified"}, None)  # checked against its stored form
    session.commit()
    assert harness.data(instance)["score"] == 14
