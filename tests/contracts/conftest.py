"""Fixtures for contracts and renewals: demo staff, funnels, the shipped processes, contracts to renew.

``RenewalWorld`` builds clients and contracts through the package's own code, and runs the
scheduler the way ``crm worker`` does (``run_jobs_once``), by one or by two apps at once.
"""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from engine.bundle import Bundle
from engine.tables import HumanTask, ProcessInstance, TaskStatus
from models.clients.cards import Client
from models.contracts.contracts import Contract, schedule
from models.contracts.renewals import ContractRenewal
from models.insurance.policies import Claim, Policy
from models.platform.settings import PROJECT_ROOT
from models.sales.funnels import ensure_default_funnels
from web import create_app
from web.engine_support import engine_services
from web.scheduler import run_jobs_once

PROCESSES = PROJECT_ROOT / "processes"
FORMS = PROJECT_ROOT / "forms"
MSK = ZoneInfo("Europe/Moscow")


class RenewalWorld:
    def __init__(self, app, session, clock, users) -> None:
        self.app = app
        self.session = session
        self.clock = clock
        self.users = users
        self.services = engine_services(app)
        self._seq = 0
        self._second = None

    def engine(self):
        return self.services.engine(self.session)

    def at(self, day: date, hour: int = 9, minute: int = 0, second: int = 30) -> None:
        self.clock.set(datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=MSK))

    def client(
        self,
        *,
        owner: str = "manager",
        name: str | None = None,
        loss_ratio: int | None = None,
        product: str = "КАСКО",
    ) -> Client:
        self._seq += 1
        client = Client(
            kind="company",
            full_name=name or f"ООО «Клиент {self._seq}»",
            segment="Крупный",
            owner=self.users[owner],
            inn=f"77{self._seq:08d}",
        )
        self.session.add(client)
        self.session.flush()
        if loss_ratio is not None:
            start = self.clock.now().date() - timedelta(days=200)
            policy = Policy(
                client_id=client.id,
                number=f"П-{client.id}",
                product=product,
                premium=Decimal("1000000"),
                starts_on=start,
                ends_on=start + timedelta(days=364),
                insurer="СОГАЗ",
            )
            self.session.add(policy)
            self.session.flush()
            self.session.add(
                Claim(
                    client_id=client.id,
                    policy_id=policy.id,
                    number=f"У-{client.id}",
                    product=product,
                    occurred_on=start + timedelta(days=10),
                    paid=Decimal(loss_ratio * 10000),
                    reserved=Decimal("0"),
                )
            )
        self.session.commit()
        return client

    def contract(
        self,
        client: Client | None = None,
        *,
        ends_on: date,
        product: str = "КАСКО",
        premium: str = "1200000",
        number: str | None = None,
        instalments: int = 1,
    ) -> Contract:
        client = client or self.client()
        self._seq += 1
        starts = ends_on - timedelta(days=364)
        contract = Contract(
            number=number or f"Д-{self._seq:05d}",
            product=product,
            client_id=client.id,
            owner_id=client.owner_id,
            starts_on=starts,
            ends_on=ends_on,
            premium=Decimal(premium),
            insured_sum=Decimal("50000000"),
            insurer="СОГАЗ",
        )
        contract.payments = schedule(starts, ends_on, Decimal(premium), instalments)
        self.session.add(contract)
        self.session.commit()
        return contract

    def tick(self, schedulers: int = 1) -> None:
        """Run every scheduler job once, by ``schedulers`` apps at the same moment."""
        if schedulers == 1:
            run_jobs_once(self.app)
            return
        if self._second is None:
            self._second = create_app(self.app.extensions["crm.settings"], clock=self.clock)
        threads = [threading.Thread(target=run_jobs_once, args=(a,)) for a in (self.app, self._second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def count(self, stmt) -> int:
        self.session.expire_all()
        return self.session.scalar(select(func.count()).select_from(stmt.subquery()))

    def instances(self, key: str) -> list[ProcessInstance]:
        self.session.expire_all()
        return list(
            self.session.scalars(
                select(ProcessInstance).where(ProcessInstance.process_key == key).order_by(ProcessInstance.id)
            )
        )

    def renewal(self, contract: Contract) -> ContractRenewal | None:
        self.session.expire_all()
        return self.session.scalar(select(ContractRenewal).where(ContractRenewal.contract_id == contract.id))

    def open_tasks(self, instance_id: int, element: str | None = None) -> list[HumanTask]:
        self.session.expire_all()
        stmt = select(HumanTask).where(
            HumanTask.instance_id == instance_id, HumanTask.status == TaskStatus.OPEN
        )
        if element:
            stmt = stmt.where(HumanTask.element_id == element)
        return list(self.session.scalars(stmt.order_by(HumanTask.id)))


@pytest.fixture
def settings_overrides(tmp_path) -> dict:
    return {"forms_dir": FORMS, "processes_dir": PROCESSES, "base_url": "https://crm.example.ru"}


@pytest.fixture
def world(app, session, clock, demo_users) -> RenewalWorld:
    ensure_default_funnels(session)
    world = RenewalWorld(app, session, clock, demo_users)
    world.at(date(2026, 3, 2), 8, 0, 0)  # Monday, before the trigger's 09:00
    world.engine().deploy(Bundle.from_paths([PROCESSES], FORMS))
    session.commit()
    yield world
    if world._second is not None:
        from models.platform.db import db

        with world._second.app_context():
            db.session.remove()
            db.engine.dispose()
