"""Fixtures for the lead and deal suites: funnels, teams, the shipped processes deployed."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from engine.api import ProcessEngine
from engine.bundle import Bundle
from engine.tables import HumanTask, TaskStatus
from models.platform.outbox import OutboxMessage
from models.platform.settings import PROJECT_ROOT
from models.sales.funnels import ensure_default_funnels
from models.sales.intake import submit_lead
from models.sales.leads import Lead, check_lead_input
from models.sales.routing import ensure_default_teams
from tests.registry_fake import REGISTRY_TOKEN, registry  # noqa: F401  (fixture)
from web.engine_support import engine_services

PROCESSES = PROJECT_ROOT / "processes"
FORMS = PROJECT_ROOT / "forms"


class LeadWorld:
    """Demo users, funnels and teams, the processes deployed; helpers to push leads through."""

    def __init__(self, session, clock, engine_bind, users, services) -> None:
        self.session = session
        self.clock = clock
        self.users = users
        self.services = services
        self.factory = sessionmaker(bind=engine_bind, expire_on_commit=False)

    def engine(self) -> ProcessEngine:
        return self.services.engine(self.session)

    def lead(self, **raw) -> Lead:
        """Store a lead and start ``lead_handling`` for it, as the intake does."""
        checked = check_lead_input(raw)
        assert checked.errors == {}
        lead = submit_lead(self.session, self.engine(), checked.values, source="site", user_id=None,
                           remote_addr=None)
        self.session.commit()
        return lead

    def open_tasks(self, lead: Lead) -> list[HumanTask]:
        self.session.expire_all()
        return list(self.session.scalars(select(HumanTask).where(
            HumanTask.instance_id == lead.instance_id, HumanTask.status == TaskStatus.OPEN)
            .order_by(HumanTask.id)))

    def complete(self, task: HumanTask, data: dict, user_id: int) -> None:
        self.engine().complete_task(task.id, data, user_id)
        self.session.commit()

    def mails(self, subject_start: str) -> list[OutboxMessage]:
        self.session.expire_all()
        return [m for m in self.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
                if m.payload.get("subject", "").startswith(subject_start)]


@pytest.fixture
def world(app, session, engine, clock, demo_users) -> LeadWorld:
    ensure_default_funnels(session)
    ensure_default_teams(session)
    world = LeadWorld(session, clock, engine, demo_users, engine_services(app))
    world.engine().deploy(Bundle.from_paths([PROCESSES], FORMS))
    session.commit()
    return world


@pytest.fixture
def settings_overrides(request: pytest.FixtureRequest) -> dict:
    """Point the app at the fake registry (``tests/registry_fake.py``) when a test uses it."""
    overrides: dict = {"extra": {"CRM_REGISTRY_TIMEOUT": 0.5}}
    if "registry" in request.fixturenames:
        state = request.getfixturevalue("registry")
        overrides.update(registry_url=state.url, registry_token=REGISTRY_TOKEN)
    return overrides
