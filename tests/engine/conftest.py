"""Fixtures for engine tests: deploy small BPMN files from tests/engine/bpmn and step them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from engine.api import ProcessEngine
from engine.bundle import Bundle
from engine.parsing import ParsedProcess, parse_bundle
from engine.ports import EngineServices
from engine.tables import HumanTask, ProcessDefinition, ProcessEvent, ProcessForm, TaskStatus
from web.engine_support import engine_services

HERE = Path(__file__).parent
BPMN = HERE / "bpmn"
FORMS = HERE / "forms"


def parse_files(paths, forms_dir=FORMS, operations=None) -> list[ParsedProcess]:
    """Parse and check files as deploy does, without storing (no operations unless given)."""
    return parse_bundle(Bundle.from_paths(list(paths), forms_dir), operations or {})


def make_legacy_version(session) -> ProcessDefinition:
    """Turn the only deployed version into one deployed before migration 0006: no stored forms and
    no ``forms_stored`` flag, so its forms are read from disk. Committed."""
    definition = session.scalars(select(ProcessDefinition)).one()
    for row in session.scalars(select(ProcessForm)):
        session.delete(row)
    definition.meta = {k: v for k, v in definition.meta.items() if k != "forms_stored"}
    session.commit()
    return definition


class EngineHarness:
    """Deploys test diagrams and drives the engine the way the web layer does."""

    def __init__(self, session, clock, engine_bind, services: EngineServices) -> None:
        self.session = session
        self.clock = clock
        self.services = services
        self.factory = sessionmaker(bind=engine_bind, expire_on_commit=False)

    def engine(self, session=None) -> ProcessEngine:
        return self.services.engine(session or self.session)

    def deploy_paths(self, paths, forms_dir=FORMS, session=None):
        """Deploy files (no commit): what ``crm deploy`` does with ``processes/`` and ``forms/``."""
        return self.engine(session).deploy(Bundle.from_paths(list(paths), forms_dir))

    def deploy(self, *names: str):
        result = self.deploy_paths([BPMN / n for n in names])
        self.session.commit()
        return result

    def start(self, key: str, data: dict | None = None, **kwargs):
        instance = self.engine().start(key, data or {}, **kwargs)
        self.session.commit()
        return instance

    def open_tasks(self, instance_id: int | None = None) -> list[HumanTask]:
        stmt = select(HumanTask).where(HumanTask.status == TaskStatus.OPEN).order_by(HumanTask.id)
        if instance_id is not None:
            stmt = stmt.where(HumanTask.instance_id == instance_id)
        self.session.expire_all()
        return list(self.session.scalars(stmt))

    def complete(self, task: HumanTask, data: dict | None = None, user_id: int | None = None):
        instance = self.engine().complete_task(task.id, data or {}, user_id)
        self.session.commit()
        return instance

    def events(self, instance_id: int) -> list[tuple[str, str | None]]:
        rows = self.session.scalars(select(ProcessEvent).where(ProcessEvent.instance_id == instance_id)
                                    .order_by(ProcessEvent.id))
        return [(e.kind, e.element_id) for e in rows]

    def data(self, instance) -> dict:
        self.session.refresh(instance)
        return self.engine().load(instance).data | self._last_task_data(instance)

    def _last_task_data(self, instance) -> dict:
        workflow = self.engine().load(instance)
        return dict(workflow.last_task.data) if workflow.last_task else {}


@pytest.fixture
def harness(app, session, engine, clock) -> EngineHarness:
    return EngineHarness(session, clock, engine, engine_services(app))
