"""Persistent ORM objects made from a Core row, as the ORM's own loading would make them.

Why: completing a task reads the task, its instance and the instance's version in one joined
query. As an ORM query (``joinedload`` twice) SQLAlchemy builds the row processors of all three
mappers on every execution and runs the ORM's loading machinery per row: in py-spy on
``bench_lead`` that was 0.3 ms of a 5.3 ms instance, more than the query's own work in the
database (issue 15). Here the same join is a Core statement built once; its row is split per
table and each part becomes the object the session already holds for that identity, or a new
one whose named columns are its loaded, unchanged values (what ``make_transient_to_detached``
makes of an object). Columns a part does not name (the version's deferred texts) load on
first access, like deferred ones; relationships between the parts are set as loaded.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Mapper, Session, class_mapper, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from engine import fast_sql
from engine.rows import connection, plain_session
from engine.tables import HumanTask, ProcessDefinition, ProcessInstance


@cache
def _mapper(cls: type) -> Mapper[Any]:
    return class_mapper(cls)


@cache
def _loaded_columns(cls: type) -> tuple[tuple[str, Any], ...]:
    """(attribute key, column) of every column ``cls`` loads with a row (deferred ones left out)."""
    mapper = _mapper(cls)
    return tuple((prop.key, prop.columns[0]) for prop in mapper.column_attrs if not prop.deferred)


def as_loaded(session: Session, cls: type, values: dict[str, Any]) -> Any:
    """The persistent object of mapped ``cls`` whose loaded columns are ``values`` (key -> value,
    primary key ``id`` included): the session's own object of that identity if it has one (its
    state wins, as with an ORM query), else a new one, clean, in ``session``."""
    session = plain_session(session)
    mapper = _mapper(cls)
    found = session.identity_map.get(mapper.identity_key_from_primary_key((values["id"],)))
    if found is not None:
        return found
    obj = mapper.class_manager.new_instance()
    obj.__dict__.update(values)  # loaded values, no change events: nothing to write
    make_transient_to_detached(obj)
    session.add(obj)
    return obj


_PARTS = (HumanTask, ProcessInstance, ProcessDefinition)


@cache
def _task_statement() -> Any:
    """The task, its instance and the instance's version in one Core statement, built once."""
    task: Any = HumanTask.__table__
    instance: Any = ProcessInstance.__table__
    definition: Any = ProcessDefinition.__table__
    columns = [column for part in _PARTS for _, column in _loaded_columns(part)]
    return (select(*columns)
            .select_from(task.join(instance, instance.c.id == task.c.instance_id)
                         .join(definition, definition.c.id == instance.c.definition_id))
            .where(task.c.id == bindparam("id")))


def task_with_instance(session: Session, task_id: int) -> HumanTask | None:
    """The human task ``task_id`` with its instance and version loaded (one statement), or None.

    The session's pending changes are flushed first, as an ORM query's autoflush would."""
    session = plain_session(session)
    session.flush()
    row = fast_sql.first_row(connection(session), _task_statement(), {"id": task_id})
    if row is None:
        return None
    objects = []
    at = 0
    for part in _PARTS:
        keys = _loaded_columns(part)
        objects.append(as_loaded(session, part, dict(zip((key for key, _ in keys), row[at:at + len(keys)],
                                                         strict=True))))
        at += len(keys)
    task, instance, definition = objects
    if "instance" not in vars(task):
        set_committed_value(task, "instance", instance)
    if "definition" not in vars(instance):
        set_committed_value(instance, "definition", definition)
    return task
