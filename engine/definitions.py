"""Deploying process definitions: a new version only when a process actually changed.

All files are parsed and checked first; only when everything is valid are versions
written, in the caller's transaction, so a failed deploy stores nothing. Timer start
events get a schedule row the scheduler reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.parsing import ParsedProcess, parse_files
from engine.schedules import next_fire_time
from engine.tables import ProcessDefinition, ProcessSchedule


@dataclass
class DeployedProcess:
    key: str
    version: int
    status: str  # new | updated | unchanged
    file: str

    def as_dict(self) -> dict:
        return {"key": self.key, "version": self.version, "status": self.status, "file": self.file}


def latest_definition(session: Session, key: str) -> ProcessDefinition | None:
    return session.scalar(
        select(ProcessDefinition).where(ProcessDefinition.key == key)
        .order_by(ProcessDefinition.version.desc()).limit(1)
    )


def _store(session: Session, parsed: ParsedProcess, user_id: int | None, clock) -> DeployedProcess:
    current = latest_definition(session, parsed.key)
    if current is not None and current.content_hash == parsed.content_hash:
        return DeployedProcess(parsed.key, current.version, "unchanged", parsed.source_file)
    version = (current.version if current else 0) + 1
    session.add(ProcessDefinition(
        key=parsed.key, version=version, name=parsed.name, content_hash=parsed.content_hash,
        source_file=parsed.source_file, source_xml=parsed.source_xml, spec_json=parsed.spec_json,
        meta=parsed.meta, deployed_at=clock.now(), deployed_by_id=user_id,
    ))
    _schedule(session, parsed, clock)
    return DeployedProcess(parsed.key, version, "updated" if current else "new", parsed.source_file)


def _schedule(session: Session, parsed: ParsedProcess, clock) -> None:
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


def deploy(session: Session, paths: list[Path], forms_dir: Path, clock, user_id: int | None = None
           ) -> list[DeployedProcess]:
    """Parse, check and store; raises ``DeployError`` (and stores nothing) on any problem."""
    parsed = parse_files(paths, forms_dir)
    results = [_store(session, p, user_id, clock) for p in parsed]
    session.flush()
    return results
