"""The simulation page's runs: the scenario on the current version and, if asked, on the draft."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from engine.api import ProcessEngine
from engine.errors import EngineError
from engine.simulation import SimulationResult, parse_scenario
from models.identity.users import User
from models.platform.permissions import Permission, require
from models.platform.settings import Settings
from models.studio import drafts

# Where the simulation page starts (the analyst edits the JSON; see engine.simulation.scenario).
DEFAULT_SCENARIO: dict[str, dict] = {
    "lead_handling": {
        "cases": 300,
        "seed": 7,
        "start": "2026-01-12T09:00:00+03:00",
        "arrivals": {"every_minutes": 20},
        "durations": {"contact": {"normal": [25, 10]}, "contact_senior": {"normal": [25, 10]}},
        "answers": {
            "contact": {"outcome": {"qualified": 0.55, "not_relevant": 0.45}, "reason": "нет потребности"},
            "contact_senior": {
                "outcome": {"qualified": 0.55, "not_relevant": 0.45},
                "reason": "нет потребности",
            },
        },
        "capacity": {"manager": 2, "senior_manager": 1},
        "data": {"lead_id": "{case}"},
    },
    "*": {
        "cases": 100,
        "seed": 1,
        "arrivals": {"every_minutes": 30},
        "durations": {"*": {"exponential": 20}},
        "capacity": {},
    },
}


@dataclass
class SimulationRuns:
    """What the page shows: the runs with the diagram each ran on, or why the scenario was refused."""

    runs: list[tuple[SimulationResult, str]] = field(default_factory=list)
    error: str | None = None
    has_draft: bool = False


def simulate(
    session: Session,
    engine: ProcessEngine,
    settings: Settings,
    user: User,
    key: str,
    scenario_text: str | None,
    with_draft: bool,
) -> SimulationRuns:
    """Run ``scenario_text`` (None: nothing yet) on the latest version of ``key`` and the user's draft."""
    require(user, Permission.VIEW_PROCESSES)
    latest = engine.definition(key)
    draft = drafts.find_draft(session, user, key)
    result = SimulationRuns(has_draft=draft is not None)
    if scenario_text is None:
        return result
    try:
        scenario = parse_scenario(json.loads(scenario_text))
    except (ValueError, EngineError) as exc:
        result.error = f"Сценарий не читается: {getattr(exc, 'message', exc)}"
        return result
    current = engine.simulate(key, scenario, version=latest.version, label=f"текущая (v{latest.version})")
    result.runs.append((current, latest.source_xml))
    if draft is not None and with_draft:
        bundle = drafts.bundle(session, engine, settings, user, key)
        result.runs.append((engine.simulate(key, scenario, bundle=bundle, label="черновик"), draft.bpmn_xml))
    return result
