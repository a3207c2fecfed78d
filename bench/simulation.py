"""Simulation before launch: 300 cases of ``lead_handling`` on the real engine, target < 10 s.

The shipped processes are deployed into a throw-away SQLite database built by the
migrations; then ``ProcessEngine.simulate`` runs the scenario of the studio's default
(a lead every 20 minutes, contact N(25, 10) min, 55 % qualified) with 1, 2 and 3 managers.
Each run is checked — every case completed, escalations exactly the cases whose manager was
later than the 4-hour timer — so a fast but wrong run fails instead of printing figures.

``python -m bench simulation [--cases 300] [--rounds 3]`` (part of ``make bench``).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.common import check, sabotaged
from models.platform.settings import PROJECT_ROOT, Settings

TARGET_SECONDS = 10.0
SCENARIO = {
    "seed": 7,
    "start": "2026-01-12T06:00:00+00:00",
    "arrivals": {"every_minutes": 20},
    "durations": {"contact": {"normal": [25, 10]}, "contact_senior": {"normal": [25, 10]}},
    "answers": {
        "contact": {"outcome": {"qualified": 0.55, "not_relevant": 0.45}, "reason": "нет потребности"},
        "contact_senior": {"outcome": {"qualified": 0.55, "not_relevant": 0.45}, "reason": "нет потребности"},
    },
    "data": {"lead_id": "{case}"},
}


def _check(result, cases: int) -> None:
    completed = list(result.completed)[1:] if sabotaged() else result.completed  # a lost case
    check(len(completed) == cases, f"завершено {len(completed)} случаев из {cases}")
    contact = [t for t in result.tasks if t.element == "contact"]
    late = {t.case for t in contact if t.cancelled}
    overdue = {
        t.case
        for t in contact
        if ((t.busy_until or result.finished + timedelta(days=1)) - t.created).total_seconds() > 4 * 3600 + 1
    }
    check(late == overdue and len(late) == result.escalations, "эскалации не совпадают с таймером")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench simulation")
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    import alembic.command
    from sqlalchemy.orm import Session

    from engine.bundle import Bundle
    from engine.simulation import parse_scenario
    from models.platform.db import db
    from web import create_app
    from web.engine_support import engine_services

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=f"sqlite:///{Path(tmp) / 'sim.db'}",
            secret_key="bench",
            env="test",
            instance_dir=Path(tmp),
            scheduler=False,
        )
        app = create_app(settings)
        with app.app_context():
            alembic.command.upgrade(app.extensions["migrate"].migrate.get_config(), "heads")
            bind = db.engine
        services = engine_services(app)
        with Session(bind) as session:
            services.engine(session).deploy(
                Bundle.from_paths([PROJECT_ROOT / "processes"], PROJECT_ROOT / "forms")
            )
            session.commit()
            print(
                f"{'менеджеров':>10} {'с (медиана)':>12} {'мс/случай':>10} {'p50 цикла':>10} "
                f"{'p90 цикла':>10} {'эскалаций':>10}"
            )
            worst = 0.0
            for managers in (1, 2, 3):
                scenario = parse_scenario(
                    {**SCENARIO, "cases": args.cases, "capacity": {"manager": managers, "senior_manager": 1}}
                )
                times, result = [], None
                for _ in range(args.rounds):
                    began = time.perf_counter()
                    result = services.engine(session).simulate("lead_handling", scenario, label=str(managers))
                    times.append(time.perf_counter() - began)
                    _check(result, args.cases)
                assert result is not None
                median = statistics.median(times)
                worst = max(worst, max(times))
                print(
                    f"{managers:>10} {median:>12.2f} {median / args.cases * 1000:>10.1f} "
                    f"{result.cycle(0.5) / 3600:>9.2f}ч {result.cycle(0.9) / 3600:>9.2f}ч "
                    f"{result.escalations:>10}"
                )
        print(
            f"самый долгий прогон {worst:.2f} с; цель < {TARGET_SECONDS:.0f} с: "
            f"{'выполнена' if worst < TARGET_SECONDS else 'НЕ выполнена'}"
        )


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
