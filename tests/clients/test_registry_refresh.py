"""The nightly registry refresh: active companies only, at night, in rate-limited batches; liquidated and
reorganising companies flagged with one back-office task each (the fake registry on 127.0.0.1)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models.clients.cards import Client
from models.clients.requisites import make_inn10
from models.tasks.adhoc import Task
from tests.clients.conftest import REGISTRY_TOKEN
from web.scheduler import job_context, registered_jobs

NIGHT = datetime(2026, 3, 10, 23, 0, tzinfo=UTC)  # 02:00 in Moscow


@pytest.fixture
def settings_overrides(registry) -> dict:
    return {"registry_url": registry.url, "registry_token": REGISTRY_TOKEN, "registry_refresh_per_minute": 60,
            "scheduler_interval": 5.0}


def test_active_companies_are_refreshed_at_night_in_batches_and_flagged_once(app, session, demo_users, clock,
                                                                             registry):
    rng = random.Random(18)
    companies = {}
    statuses = ["LIQUIDATED", "REORGANIZING", "ACTIVE", "ACTIVE", "ACTIVE", "ACTIVE", "ACTIVE"]
    for n, status in enumerate(statuses):
        inn = make_inn10(rng)
        registry.add(inn, f"Компания {n}", status=status)
        row = Client(kind="company", full_name=f"ООО «Компания {n}»", inn=inn, status="active",
                     owner=demo_users["manager"])
        session.add(row)
        companies[status if n < 2 else f"ok{n}"] = row
    session.add_all([Client(kind="company", full_name="ООО «Потенциальный»", inn=make_inn10(rng),
                            status="prospect"),
                     Client(kind="person", full_name="Петров Пётр", phone="+79990001122", status="active")])
    session.commit()
    job = registered_jobs(app)["registry_refresh"]
    context = job_context(app)
    clock.set(NIGHT.replace(hour=9))  # 12:00 in Moscow: not the time
    assert job(context) == 0 and registry.requests == []
    clock.set(NIGHT)
    assert job(context) == 5  # 60 a minute, a tick every 5 s
    assert job(context) == 0  # the pace: the next batch waits
    clock.advance(timedelta(seconds=6))
    assert job(context) == 2
    clock.advance(timedelta(seconds=6))
    assert job(context) == 0  # everything is checked for tonight
    assert len(registry.requests) == 7  # neither the prospect nor the person was asked
    session.expire_all()
    liquidated = session.get(Client, companies["LIQUIDATED"].id)
    assert liquidated.registry_status == "LIQUIDATED" and liquidated.registry_flag is True
    tasks = list(session.scalars(select(Task).where(Task.title == "Проверить клиента по реестру")))
    flagged = [companies["LIQUIDATED"].id, companies["REORGANIZING"].id]
    assert sorted(t.business_id for t in tasks) == sorted(flagged)
    assert {t.department for t in tasks} == {"deal_support"}
    assert any("ликвидирована" in t.description for t in tasks)
    assert any("реорганизация" in t.description for t in tasks)
    # the next night asks again, but an open task is not doubled
    clock.set(NIGHT + timedelta(days=1))
    for _ in range(3):
        job(context)
        clock.advance(timedelta(seconds=6))
    assert len(registry.requests) == 14
    assert session.query(Task).filter(Task.title == "Проверить клиента по реестру").count() == 2
