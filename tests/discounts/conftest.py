"""Fixtures for the discount sign-off: demo staff, funnels, the shipped processes, clients with history.

``SignoffWorld`` builds what a test needs — a client with a chosen loss ratio, a deal, a
request — through the same services the pages use, and steps the process like requests do
(each call commits, as a request's unit of work would).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from engine.api import ProcessEngine
from engine.bundle import Bundle
from engine.tables import HumanTask, TaskStatus
from models.clients.cards import Client
from models.discounts.requests import DiscountRequest
from models.discounts.service import DECIDE_TASKS, decide_request, open_task, request_discount
from models.insurance.policies import Claim, Policy
from models.platform.settings import PROJECT_ROOT
from models.sales.deals import Deal, open_deal
from models.sales.funnels import ensure_default_funnels, funnel_by_code
from web.engine_support import engine_services

PROCESSES = PROJECT_ROOT / "processes"
FORMS = PROJECT_ROOT / "forms"


class SignoffWorld:
    def __init__(self, session, clock, engine_bind, users, services) -> None:
        self.session = session
        self.clock = clock
        self.users = users
        self.services = services
        self.factory = sessionmaker(bind=engine_bind, expire_on_commit=False)
        self._seq = 0

    def engine(self, session=None) -> ProcessEngine:
        return self.services.engine(session or self.session)

    @property
    def today(self) -> date:
        return self.clock.now().date()

    def client(
        self,
        *,
        segment: str = "Крупный",
        owner: str = "manager",
        loss_ratio: int | None = None,
        product: str = "КАСКО",
        name: str | None = None,
        inn: str | None = None,
    ) -> Client:
        """A company; with ``loss_ratio``: a policy of ``product`` this year (1 000 000 ₽) and its claims."""
        self._seq += 1
        client = Client(
            kind="company",
            full_name=name or f"ООО «Клиент {self._seq}»",
            segment=segment,
            owner=self.users[owner],
            inn=inn,
        )
        self.session.add(client)
        self.session.flush()
        if loss_ratio is not None:
            start = date(self.today.year, 1, 10)
            policy = Policy(
                client_id=client.id,
                number=f"П-{client.id}-{self._seq}",
                product=product,
                premium=Decimal("1000000"),
                starts_on=start,
                ends_on=start + timedelta(days=364),
                insurer="СОГАЗ",
            )
            self.session.add(policy)
            self.session.flush()
            if loss_ratio:
                self.session.add(
                    Claim(
                        client_id=client.id,
                        policy_id=policy.id,
                        number=f"У-{client.id}-{self._seq}",
                        product=product,
                        occurred_on=start + timedelta(days=1),
                        paid=Decimal(loss_ratio * 10000),
                        reserved=Decimal("0"),
                    )
                )
        self.session.commit()
        return client

    def deal(
        self,
        client: Client | None = None,
        *,
        amount: str = "40000000",
        premium: str | None = None,
        products: tuple[str, ...] = ("КАСКО",),
        owner: str | None = None,
        stage: str | None = None,
        competitors: list[dict] | None = None,
    ) -> Deal:
        """An open deal of the юрлица funnel (КАСКО, Крупный: base premium 2,5 % of ``amount``)."""
        client = client or self.client()
        funnel = funnel_by_code(self.session, "company")
        deal = open_deal(
            self.session,
            client=client,
            funnel=funnel,
            owner_id=self.users[owner].id if owner else client.owner_id,
            now=self.clock.now(),
            title=f"{client.full_name}: страхование",
            amount=Decimal(amount),
            premium=Decimal(premium) if premium else None,
            product_lines=list(products),
            competitor_offers=competitors or [],
        )
        if stage:
            deal.stage = funnel.stage(stage)
        self.session.commit()
        return deal

    def ask(self, deal: Deal, discount: str, *, product: str = "КАСКО", user: str | None = None, **extra):
        """Request a discount as the deal's owner (or ``user``); commits like a request would."""
        actor = self.users[user] if user else self.session.get(type(self.users["manager"]), deal.owner_id)
        data = {"product": product, "discount": discount, "justification": "Конкурент дешевле", **extra}
        done = request_discount(self.session, self.engine(), actor, deal.id, data, self.clock.now())
        self.session.commit()
        return done

    def task(self, request: DiscountRequest, elements=DECIDE_TASKS) -> HumanTask | None:
        self.session.expire_all()
        return open_task(self.session, request, elements)

    def decide(
        self,
        request: DiscountRequest,
        user: str,
        decision: str,
        comment: str = "Решение обосновано",
        counter: float | None = None,
    ):
        done = decide_request(
            self.session,
            self.engine(),
            self.users[user],
            request.id,
            {"decision": decision, "comment": comment, "counter_discount": counter},
        )
        self.session.commit()
        self.session.expire_all()
        return done

    def open_tasks(self, instance_id: int) -> list[HumanTask]:
        self.session.expire_all()
        return list(
            self.session.scalars(
                select(HumanTask)
                .where(HumanTask.instance_id == instance_id, HumanTask.status == TaskStatus.OPEN)
                .order_by(HumanTask.id)
            )
        )

    def refresh(self, request: DiscountRequest) -> DiscountRequest:
        self.session.expire_all()
        return self.session.get(DiscountRequest, request.id)


@pytest.fixture
def settings_overrides(tmp_path) -> dict:
    return {"forms_dir": FORMS, "processes_dir": PROCESSES, "base_url": "https://crm.example.ru"}


@pytest.fixture
def world(app, session, engine, clock, demo_users) -> SignoffWorld:
    ensure_default_funnels(session)
    world = SignoffWorld(session, clock, engine, demo_users, engine_services(app))
    world.engine().deploy(Bundle.from_paths([PROCESSES], FORMS))
    session.commit()
    return world
