"""The version a new instance starts on, known without a query per start (issue 15).

Every start asked the database for the newest version of its process: an ORM query of about
a quarter of a millisecond, a tenth of a ``bench_lead`` instance's engine work. Versions are
only ever added, so the answer changes only when someone deploys — maybe in another worker,
maybe in a database emptied and filled again under the same address (the tests do that).

So the last answer is kept per database address and process key (the columns of the
row, with the stored text of its ``meta``), and the start's own INSERT checks it: ``INSERT …
SELECT … WHERE`` the kept version still has its id, content hash, number and ``meta`` and no
newer version of the key exists. ``meta`` is compared because the content hash does not cover
it: a database refilled under the same address may hold the same id, hash and number with
another ``meta`` (a version deployed before forms were stored has no ``forms_stored`` flag, and
its forms come from disk). A row inserted
means the guess was what the query would have said, in the same statement; no row means it
was not, and the caller asks the database as before and starts on its answer. The instance
always starts on the newest version, as the query made it, with one statement fewer.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import Text, and_, bindparam, cast, exists, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine import fast_sql
from engine.errors import NotDeployed
from engine.loaded import as_loaded
from engine.rows import connection, insert_instance, plain_session
from engine.tables import ProcessDefinition, ProcessInstance

if TYPE_CHECKING:
    from engine.runtime import Runtime

_DEFINITION: Any = ProcessDefinition.__table__
_INSTANCE: Any = ProcessInstance.__table__
_NEWER: Any = _DEFINITION.alias("newer")
COLUMNS = tuple(c.name for c in _INSTANCE.c if c.name != "id")
# Built once: INSERT the instance (every column a parameter) only if the kept version is still newest.
_INSERT_ON_KEPT = insert(_INSTANCE).from_select(
    COLUMNS,
    select(*(bindparam(name, type_=_INSTANCE.c[name].type) for name in COLUMNS)).where(
        exists(select(_DEFINITION.c.id).where(
            _DEFINITION.c.id == bindparam("_definition_id"),
            _DEFINITION.c.content_hash == bindparam("_hash"),
            _DEFINITION.c.version == bindparam("_version"),
            cast(_DEFINITION.c.meta, Text) == bindparam("_meta", type_=Text),
            ~exists(select(_NEWER.c.id).where(and_(_NEWER.c.key == _DEFINITION.c.key,
                                                    _NEWER.c.version > _DEFINITION.c.version))),
        ))),
).returning(_INSTANCE.c.id)
_KEPT_ATTRIBUTES = ("id", "key", "version", "name", "content_hash", "source_file", "meta",
                    "deployed_at", "deployed_by_id")
_META_TEXT = select(cast(_DEFINITION.c.meta, Text)).where(_DEFINITION.c.id == bindparam("id"))


class Kept(NamedTuple):
    """A version kept as the next start's guess: its columns (attribute -> value, read only; the
    session's object of it is made from them) and its ``meta`` as stored."""

    values: dict[str, Any]
    meta_text: str


_kept: dict[tuple[str, str], Kept] = {}
_lock = threading.Lock()


def _database(session: Session) -> str:
    return str(connection(session).engine.url)


def remember(session: Session, definition: ProcessDefinition) -> None:
    """Keep ``definition`` (just read as the newest of its key) as the next start's guess."""
    values = {name: getattr(definition, name) for name in _KEPT_ATTRIBUTES}
    meta_text = connection(session).execute(_META_TEXT, {"id": definition.id}).scalar_one()
    with _lock:
        _kept[(_database(session), definition.key)] = Kept(values, meta_text)


def guess(session: Session, key: str) -> Kept | None:
    """The kept newest version of ``key`` (shared: read it, do not change it), or None."""
    return _kept.get((_database(session), key))


def insert_on_guess(session: Session, guessed: Kept, values: dict[str, Any]
                    ) -> tuple[ProcessInstance, ProcessDefinition] | None:
    """INSERT a new instance on ``guessed`` if that is still the newest version of its key.

    ``values``: every column but ``id``, ``definition_id`` and ``version``. On success the new
    instance (new id, version 1, its ``definition`` set), persistent in ``session`` as
    ``engine.rows.insert_instance`` makes it, and the version's object in ``session``; None:
    nothing was written and the guess is dropped.
    """
    kept = guessed.values
    values = {**values, "definition_id": kept["id"], "version": 1}
    params = {**values, "_definition_id": kept["id"], "_hash": kept["content_hash"],
              "_version": kept["version"], "_meta": guessed.meta_text}
    cursor = fast_sql.execute(connection(session), _INSERT_ON_KEPT, params)
    found = cursor.fetchone()
    cursor.close()
    new_id = found[0] if found else None
    if new_id is None:
        with _lock:
            _kept.pop((_database(session), kept["key"]), None)
        return None
    # The session's own object of that version if it has one, else one made of the kept values (no query).
    definition = as_loaded(session, ProcessDefinition, kept)
    instance = as_loaded(session, ProcessInstance, dict(values, id=new_id))
    set_committed_value(instance, "definition", definition)
    return instance, definition


def insert_new(runtime: Runtime, key: str, title: str | None, values: dict[str, Any]
               ) -> tuple[ProcessInstance, ProcessDefinition]:
    """INSERT a new instance of ``key`` (``values``: every column but ``id``, ``definition_id``,
    ``title`` and ``version``) on its newest version: the kept one, checked by the INSERT itself,
    unless this transaction of ``runtime`` already asked; asked only if not known or no longer
    newest. ``NotDeployed`` if ``key`` has no version."""
    session = runtime.session
    transaction = plain_session(session).get_transaction()
    known = runtime._latest.get(key)
    guessed = guess(session, key) if known is None or known[0] is not transaction else None
    if guessed is not None:
        made = insert_on_guess(session, guessed, dict(values, title=title or guessed.values["name"]))
        if made is not None:
            runtime._latest[key] = (transaction, made[1])
            return made
    found = runtime.latest_definition(key)
    if found is None:
        raise NotDeployed(key)
    remember(session, found)
    instance = ProcessInstance(definition=found)
    insert_instance(session, instance, dict(values, definition_id=found.id, title=title or found.name))
    return instance, found
