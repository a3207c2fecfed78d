"""``crm deploy`` and ``crm process …`` through the real CLI: JSON output and one-line errors."""

import json
import shutil

from tests.engine.conftest import BPMN
from web.cli import cli


def _run(app, *args):
    return app.test_cli_runner().invoke(cli, list(args))


def test_deploy_start_show_list_json(app, tmp_path):
    shutil.copy(BPMN / "timer_intermediate.bpmn", tmp_path)
    deployed = _run(app, "deploy", str(tmp_path), "--json")
    assert deployed.exit_code == 0, deployed.stderr
    assert json.loads(deployed.stdout) == [{"key": "timer_intermediate", "version": 1, "status": "new",
                                            "file": "timer_intermediate.bpmn"}]
    again = json.loads(_run(app, "deploy", str(tmp_path), "--json").stdout)
    assert again[0]["status"] == "unchanged"

    started = _run(app, "process", "start", "timer_intermediate", "--data", '{"x": 1}', "--json")
    assert started.exit_code == 0, started.stderr
    instance = json.loads(started.stdout)
    assert instance["status"] == "waiting" and instance["version"] == 1

    shown = json.loads(_run(app, "process", "show", str(instance["id"]), "--json").stdout)
    assert [e["kind"] for e in shown["events"]][:2] == ["instance_started", "task_completed"]
    listed = json.loads(_run(app, "process", "list", "--json").stdout)
    assert listed == [{"key": "timer_intermediate", "name": "Пауза", "latest_version": 1,
                       "instances": {"waiting": 1}}]


def test_errors_are_one_line(app, tmp_path):
    shutil.copy(BPMN / "bad" / "script_import.bpmn", tmp_path)
    result = _run(app, "deploy", str(tmp_path))
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Ошибка: script_import.bpmn, элемент «evil_script»")
    missing = _run(app, "process", "start", "nope")
    assert missing.exit_code == 1 and missing.stderr.strip() == "Ошибка: Процесс «nope» не развёрнут"
    bad_json = _run(app, "process", "start", "nope", "--data", "{oops")
    assert bad_json.exit_code == 1 and "неверный JSON" in bad_json.stderr


def test_unmatched_message_exits_2_and_says_so(app):
    result = _run(app, "process", "message", "payment_received", "--correlation", '{"deal_id": 5}',
                  "--json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["status"] == "unmatched"
