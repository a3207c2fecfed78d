"""The ``crm`` command: one-line errors, non-zero exits, ``--json`` output."""

import json

from sqlalchemy import func, select

from engine.bundle import Bundle
from models.clients.cards import Client
from models.identity.users import find_user
from tests.engine.conftest import BPMN, FORMS
from web.cli import cli
from web.engine_support import engine_services


def _run(app, *args, input=None):
    return app.test_cli_runner().invoke(cli, list(args), input=input)


def test_user_create_and_list_json(app, session):
    result = _run(app, "user", "create", "--login", "Ivanov", "--role", "manager",
                  "--department", "sales", "--name", "Иванов Иван", "--password", "secret1",
                  "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["login"] == "ivanov" and data["role"] == "manager"
    user = find_user(session, "ivanov")
    assert user.check_password("secret1") and user.department.code == "sales"
    listed = json.loads(_run(app, "user", "list", "--json").stdout)
    assert [u["login"] for u in listed] == ["ivanov"]


def test_errors_are_one_line_and_exit_non_zero(app):
    result = _run(app, "user", "create", "--login", "x2", "--role", "boss", "--department",
                  "sales", "--password", "secret1")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Ошибка: Неизвестная роль «boss»")
    dup = _run(app, "user", "create", "--login", "x3", "--role", "manager", "--department",
               "nowhere", "--password", "secret1")
    assert dup.exit_code == 1 and "Неизвестный отдел" in dup.stderr


def test_demo_is_idempotent(app, session):
    first = json.loads(_run(app, "demo", "--json").stdout)
    assert first["created"]["users"] >= 10 and first["created"]["clients"] >= 200
    count = session.scalar(select(func.count(Client.id)))
    second = json.loads(_run(app, "demo", "--json").stdout)
    assert second["created"]["users"] == 0 and second["created"]["clients"] == 0
    assert session.scalar(select(func.count(Client.id))) == count
    assert {"admin", "manager", "manager2", "senior", "backoffice", "lawyer", "underwriter",
            "product", "head", "analyst"} <= set(first["logins"])


def test_demo_refused_in_production(database_url, tmp_path):
    from tests.conftest import _settings
    from web import create_app

    app = create_app(_settings(database_url, tmp_path, env="production"))
    result = app.test_cli_runner().invoke(cli, ["demo"])
    assert result.exit_code == 1
    assert "запрещены" in result.stderr
    from models.platform.db import db
    with app.app_context():
        db.engine.dispose()


def test_db_current_reports_up_to_date(app):
    data = json.loads(_run(app, "db", "current", "--json").stdout)
    assert data["up_to_date"] is True and data["applied"]


def test_unknown_records_are_one_line_errors(app):
    shown = _run(app, "process", "show", "999999")
    assert shown.exit_code == 1 and shown.stderr.strip() == "Ошибка: экземпляр 999999 не найден"
    reverted = _run(app, "import", "revert", "999999")
    assert reverted.exit_code == 1 and reverted.stderr.strip() == "Ошибка: Импорт #999999 не найден"


def test_process_show_lists_completed_tasks_too(app, session, demo_users):
    engine = engine_services(app).engine(session)
    engine.deploy(Bundle.from_paths([BPMN / "simple_user_task.bpmn"], FORMS))
    instance = engine.start("simple_user_task", {"company": "Ромашка"})
    [task] = engine.instance_summary(instance.id).tasks
    engine.complete_task(task.id, {"outcome": "qualified"}, demo_users["manager"].id)
    session.commit()

    shown = json.loads(_run(app, "process", "show", str(instance.id), "--json").stdout)
    assert shown["status"] == "completed"
    assert [(t["id"], t["status"]) for t in shown["tasks"]] == [(task.id, "completed")]
    assert shown["events"][0]["kind"] == "instance_started"
    assert shown["events"][-1]["kind"] == "instance_completed"
