"""``crm process export`` gives back the deployed version; ``crm process simulate`` runs a scenario file."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from engine.bundle import Bundle
from models.platform.db import Base
from models.platform.settings import PROJECT_ROOT
from tests.studio.conftest import api
from tests.studio.test_simulation import SCENARIO
from web.cli import cli

LEAD = (PROJECT_ROOT / "processes" / "lead_handling.bpmn").read_text(encoding="utf-8")


@pytest.fixture
def settings_overrides(tmp_path):
    """An empty repository to export into: only the DMN tables the deploy takes from the process folder."""
    out = tmp_path / "out"
    (out / "processes").mkdir(parents=True)
    (out / "forms").mkdir(parents=True)
    for table in (PROJECT_ROOT / "processes").glob("*.dmn"):
        (out / "processes" / table.name).write_bytes(table.read_bytes())
    return {"processes_dir": out / "processes", "forms_dir": out / "forms"}


def _invoke(app, *args):
    return app.test_cli_runner().invoke(cli, list(args))


def test_export_writes_the_studio_version_back(app, world, as_user, tmp_path, session):
    analyst = as_user("analyst")
    changed = LEAD.replace('name="dueIn" value="PT4H"', 'name="dueIn" value="PT2H"', 1)
    api(analyst, "PUT", "/studio/api/processes/lead_handling/draft", {"xml": changed})
    assert (
        api(
            analyst, "POST", "/studio/api/processes/lead_handling/deploy", {"comment": "два часа"}
        ).status_code
        == 200
    )
    out = tmp_path / "out"
    result = _invoke(app, "process", "export", "lead_handling", "--json")
    assert result.exit_code == 0, result.output
    written = json.loads(result.output)
    assert written["version"] == 2
    names = sorted(p.split("/")[-1] for p in written["files"])
    assert names == [
        "lead_funnel.dmn",
        "lead_handling.bpmn",
        "lead_outcome.schema.json",
        "lead_outcome.ui.json",
        "lead_team.dmn",
    ]
    exported = (out / "processes" / "lead_handling.bpmn").read_text(encoding="utf-8")
    assert 'name="dueIn" value="PT2H"' in exported and "BPMNDiagram" in exported
    assert exported.count("spiffworkflow:") == changed.count("spiffworkflow:")
    again = world.engine().deploy(Bundle.from_paths([out / "processes"], out / "forms"))
    assert {r.key: (r.version, r.status) for r in again}["lead_handling"] == (2, "unchanged")
    missing = _invoke(app, "process", "export", "nope")
    assert missing.exit_code == 1 and "Ошибка: Процесс «nope» не развёрнут" in missing.output


def test_simulate_from_the_command_line_writes_nothing(app, world, tmp_path, session):
    scenario = tmp_path / "scenario.json"
    scenario.write_text(
        json.dumps({**SCENARIO, "cases": 60, "capacity": {"manager": 2, "senior_manager": 1}}),
        encoding="utf-8",
    )

    def counts():
        session.expire_all()
        return {
            t.name: session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables
        }

    before = counts()
    result = _invoke(app, "process", "simulate", "lead_handling", "--scenario", str(scenario), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["cases"], data["completed"]) == (60, 60)
    assert data["cycle_p90_s"] >= data["cycle_p50_s"] > 0
    assert set(data["utilisation"]) == {"manager", "senior_manager"}
    assert counts() == before
    text = _invoke(app, "process", "simulate", "lead_handling", "--scenario", str(scenario), "--version", "1")
    assert "время прохождения p50" in text.output and "загрузка: manager (2)" in text.output
    scenario.write_text('{"cases": 0}', encoding="utf-8")
    bad = _invoke(app, "process", "simulate", "lead_handling", "--scenario", str(scenario))
    assert bad.exit_code == 1 and "Ошибка: сценарий: cases: целое число от 1 до 5000" in bad.output
    unknown = _invoke(
        app, "process", "simulate", "lead_handling", "--scenario", str(scenario), "--version", "9"
    )
    assert unknown.exit_code == 1
