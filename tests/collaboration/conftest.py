"""Fixtures for collaboration: demo staff, funnels, the shipped processes deployed, a client with history."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.api import ProcessEngine
from engine.bundle import Bundle
from engine.tables import HumanTask, TaskStatus
from models.clients.cards import Client
from models.platform.settings import PROJECT_ROOT
from models.sales.funnels import ensure_default_funnels
from web.engine_support import engine_services

PROCESSES = PROJECT_ROOT / "processes"
FORMS = PROJECT_ROOT / "forms"


class World:
    def __init__(self, session: Session, clock, users, services) -> None:
        self.session, self.clock, self.users, self.services = session, clock, users, services

    def engine(self) -> ProcessEngine:
        return self.services.engine(self.session)

    def client(self, owner: str = "manager", name: str = "ООО «Ромашка»", **fields) -> Client:
        row = Client(kind="company", full_name=name, owner=self.users[owner], **fields)
        self.session.add(row)
        self.session.commit()
        return row

    def open_tasks(self, instance_id: int) -> list[HumanTask]:
        self.session.expire_all()
        return list(self.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                                 HumanTask.status == TaskStatus.OPEN)
                                         .order_by(HumanTask.id)))


@pytest.fixture
def settings_overrides() -> dict:
    return {"forms_dir": FORMS, "processes_dir": PROCESSES, "base_url": "https://crm.example.ru"}


@pytest.fixture
def world(app, session, clock, demo_users) -> World:
    ensure_default_funnels(session)
    world = World(session, clock, demo_users, engine_services(app))
    world.engine().deploy(Bundle.from_paths([PROCESSES], FORMS))
    session.commit()
    return world
