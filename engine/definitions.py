"""Deploying process definitions: a new version only when a process actually changed.

The whole bundle is parsed and checked first (``engine.parsing``); only when everything is
valid are versions written, in the caller's transaction, so a failed deploy stores
nothing. A new version stores its spec once and the forms it references
(``process_form``); a process changes when its spec or one of those forms does. Timer
start events get a schedule row the scheduler reads.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.bundle import Bundle
from engine.parsing import ParsedProcess, parse_bundle
from engine.schedules import next_fire_time
from engine.tables import ProcessDefinition, ProcessForm, ProcessSchedule
from models.platform.clock import Clock


@dataclass
class DeployedProcess:
    """What deploying did to one process key."""

    key: str
    version: int
    status: str  # new | updated | unchanged
    file: str

    def as_dict(self) -> dict:
        return {"key": self.key, "version": self.version, "status": self.status, "file": self.file}


@cache
def _latest() -> Any:
    """Built once (every start asks it), on first use, when the mappers are configured."""
    return (select(ProcessDefinition).where(ProcessDefinition.key == bindparam("key"))
            .order_by(ProcessDefinition.version.desc()).limit(1))


def latest_definition(session: Session, key: str) -> ProcessDefinition | None:
    """The newest version of process ``key`` (what new instances start on), or None."""
    return session.scalar(_latest(), {"key": key})


def _store(session: Session, parsed: ParsedProcess, user_id: int | None, clock: Clock) -> DeployedProcess:
    current = latest_definition(session, parsed.key)
    if current is not None and current.content_hash == parsed.content_hash:
        return DeployedProcess(parsed.key, current.version, "unchanged", parsed.source_file)
    version = (current.version if current else 0) + 1
    definition = ProcessDefinition(
        key=parsed.key, version=version, name=parsed.name, content_hash=parsed.content_hash,
        source_file=parsed.source_file, source_xml=parsed.source_xml, spec_json=parsed.spec_json,
        meta=parsed.meta, deployed_at=clock.now(), deployed_by_id=user_id,
    )
    session.add(definition)
    for name in sorted(parsed.forms):
        session.add(ProcessForm(definition=definition, name=name, content=parsed.forms[name]))
    _schedule(session, parsed, clock)
    return DeployedProcess(parsed.key, version, "updated" if current else "new", parsed.source_file)


def _schedule(session: Session, parsed: ParsedProcess, clock: Clock) -> None:
    timer = parsed.meta.get("timer_start")
    row = session.scalar(select(ProcessSchedule).where(ProcessSchedule.process_key == parsed.key))
    if timer is None:
        if row is not None:
            session.delete(row)
        return
    expression = timer["expression"]
    if row is None:
        row = ProcessSchedule(process_key=parsed.key)
        session.add(row)
    if row.expression != expression or row.next_fire_at is None:
        row.expression = expression
        row.element_id = timer["element"]
        row.next_fire_at = next_fire_time(expression, clock.now(), timer["type"])


_CHECKED_KEPT = 16
_checked_lock = threading.Lock()
_checked: OrderedDict[tuple, list[tuple]] = OrderedDict()


def _bundle_digest(bundle: Bundle) -> str:
    digest = hashlib.sha256()
    for part in (bundle.diagrams, bundle.forms):
        for name in sorted(part):
            digest.update(name.encode() + b"\0" + bytes(part[name]) + b"\0")
        digest.update(b"\1")
    return digest.hexdigest()


def _parse_checked(bundle: Bundle, operations: Mapping[str, Callable[..., Any]]) -> list[ParsedProcess]:
    """``parse_bundle``'s answer, kept for a bundle this process has checked already.

    Deploying the same bytes against the same operations always checks out the same way, and
    parsing is most of a deploy (schema validation, SpiffWorkflow's parser, the spec's JSON):
    ``crm deploy`` run again, the studio's check before its deploy, and the test suite, which
    deploys the shipped processes for hundreds of tests, skip it. Only what ``_store`` writes is
    kept (no live specs), and each call gets its own copies of the dictionaries. A bundle that
    fails is parsed again every time, so its error is always the parser's own.
    """
    key = (_bundle_digest(bundle), tuple(sorted(operations.items())))  # the functions themselves
    with _checked_lock:
        kept = _checked.get(key)
        if kept is not None:
            _checked.move_to_end(key)
    if kept is None:
        kept = [(p.key, p.name, p.source_file, p.source_xml, p.spec_json, p.content_hash,
                 json.dumps(p.meta), json.dumps(p.forms)) for p in parse_bundle(bundle, operations)]
        with _checked_lock:
            _checked[key] = kept
            while len(_checked) > _CHECKED_KEPT:
                _checked.popitem(last=False)
    return [ParsedProcess(key=k, name=name, source_file=file, source_xml=xml, spec=None, subprocess_specs={},
                          spec_json=spec_json, content_hash=content_hash, meta=json.loads(meta),
                          forms=json.loads(forms))
            for k, name, file, xml, spec_json, content_hash, meta, forms in kept]


def deploy(session: Session, bundle: Bundle, operations: Mapping[str, Callable[..., Any]], clock: Clock,
           user_id: int | None = None) -> list[DeployedProcess]:
    """Parse, check and store ``bundle``; raises ``DeployError`` (and stores nothing) on any problem."""
    parsed = _parse_checked(bundle, operations)
    results = [_store(session, p, user_id, clock) for p in parsed]
    session.flush()
    return results
