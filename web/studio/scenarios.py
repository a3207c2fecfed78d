"""Scenarios the simulation page starts from (the analyst edits the JSON; see engine.simulation.scenario)."""

from __future__ import annotations

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
