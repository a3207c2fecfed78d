"""Acceptance 4: simulating lead_handling with 1, 2 and 3 managers on the real engine, nothing stored."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.bundle import Bundle
from engine.simulation import parse_scenario
from models.platform.db import Base
from tests.sales.conftest import FORMS, PROCESSES
from web.engine_support import engine_services

SCENARIO = {
    "cases": 300,
    "seed": 7,
    "start": "2026-01-12T06:00:00+00:00",
    "arrivals": {"every_minutes": 20},
    "durations": {"contact": {"normal": [25, 10]}, "contact_senior": {"normal": [25, 10]}},
    "answers": {
        "contact": {"outcome": {"qualified": 0.55, "not_relevant": 0.45}, "reason": "нет потребности"},
        "contact_senior": {"outcome": {"qualified": 0.55, "not_relevant": 0.45}, "reason": "нет потребности"},
    },
    "capacity": {"manager": 1, "senior_manager": 1},
    "data": {"lead_id": "{case}"},
}


def _counts(session) -> dict[str, int]:
    return {t.name: session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


@pytest.fixture
def deployed(app, session):
    services = engine_services(app)
    services.engine(session).deploy(Bundle.from_paths([PROCESSES], FORMS))
    session.commit()
    return services


def test_more_managers_cut_cycle_times_and_escalations_match_the_timers(deployed, session):
    before = _counts(session)
    results = {}
    for managers in (1, 2, 3):
        scenario = parse_scenario({**SCENARIO, "capacity": {"manager": managers, "senior_manager": 1}})
        began = time.perf_counter()
        results[managers] = deployed.engine(session).simulate("lead_handling", scenario, label=f"{managers}")
        print(managers, "managers:", round(time.perf_counter() - began, 2), "s")
    session.rollback()
    assert _counts(session) == before
    p90 = [results[m].cycle(0.9) for m in (1, 2, 3)]
    p50 = [results[m].cycle(0.5) for m in (1, 2, 3)]
    assert p90[0] > p90[1] > p90[2]
    assert p50[0] > p50[1] >= p50[2]
    escalations = [results[m].escalations for m in (1, 2, 3)]
    assert escalations[0] > escalations[1] >= escalations[2]
    for result in results.values():
        assert len(result.cases) == 300
        assert len(result.completed) == 300
        contact = [t for t in result.tasks if t.element == "contact"]
        assert len(contact) == 300
        # Timers fire one second after they are due. A manager's task that would be done
        # (taken and worked through) later than 4 h + 1 s is escalated by the interrupting timer,
        # one still in work after 3 h + 1 s gets the reminder — and nothing else does.
        far = result.finished + timedelta(days=365)

        def done_after(task, hours, far=far):
            return ((task.busy_until or far) - task.created).total_seconds() > hours * 3600 + 1

        escalated = {t.case for t in contact if t.cancelled}
        assert escalated == {t.case for t in contact if done_after(t, 4)}
        assert len(escalated) == result.escalations == result.timers["overdue"]
        assert result.reminders == result.timers["reminder"] == sum(done_after(t, 3) for t in contact)
        seniors = [t for t in result.tasks if t.element == "contact_senior"]
        assert len(seniors) == result.escalations
