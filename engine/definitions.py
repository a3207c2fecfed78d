"""Deploying process definitions: a new version only when a process actually changed.

The whole bundle is parsed and checked first (``engine.parsing``); only when everything is
valid are versions written, in the caller's transaction, so a failed deploy stores
nothing. A new version stores its spec once and the forms it references
(``process_form``); a process changes when its spec or one of those forms does. Timer
start events get a schedule row the scheduler reads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.bundle import Bundle
from engine.kept_checks import checked_bundle
from engine.parsing import ParsedProcess
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


def deploy(session: Session, bundle: Bundle, operations: Mapping[str, Callable[..., Any]], clock: Clock,
           user_id: int | None = None) -> list[DeployedProcess]:
    """Parse, check and store ``bundle``; raises ``DeployError`` (and stores nothing) on any problem."""
    parsed = checked_bundle(bundle, operations)  # parsed once per process (engine/kept_checks.py)
    results = [_store(session, p, user_id, clock) for p in parsed]
    session.flush()
    return results
