"""``crm import clients FILE [--dry-run] [--mode …] [--json]`` with progress on stderr."""

import json
import random

from sqlalchemy import func, select

from models.clients.cards import Client
from tests.clients.import_files import company_row, to_csv
from web.cli import cli


def _run(app, *args):
    return app.test_cli_runner().invoke(cli, list(args))


def test_cli_dry_run_then_import_then_again_then_revert(app, session, demo_users, tmp_path):
    rng = random.Random(31)
    bad = company_row(rng, "Сломанная")
    bad[3] = "1"
    rows = [company_row(rng, f"Консоль {i}") for i in range(30)] + [bad]
    path = tmp_path / "clients.csv"
    path.write_bytes(to_csv(rows))

    dry = _run(app, "import", "clients", str(path), "--dry-run", "--json")
    assert dry.exit_code == 0, dry.stderr
    data = json.loads(dry.stdout)
    assert (data["dry_run"], data["created"], data["rejected"]) == (True, 30, 1)
    assert data["rejected_rows"] == [{"row": 32, "reason": "ОГРН должен содержать 13 цифр, а не 1"}]
    assert "Импорт: 31 из 31 строк (100%)" in dry.stderr
    assert session.scalar(select(func.count(Client.id))) == 0

    real = _run(app, "import", "clients", str(path), "--mode", "skip-duplicates", "--user", "backoffice")
    assert real.exit_code == 0, real.stderr
    assert real.stdout.startswith("Импорт #2: создано 30, обновлено 0, пропущено 0, отклонено 1")
    assert "строка 32: ОГРН должен содержать 13 цифр, а не 1" in real.stdout
    owners = set(session.scalars(select(Client.owner_id)))
    assert owners == {demo_users["backoffice"].id}

    again = json.loads(_run(app, "import", "clients", str(path), "--json").stdout)
    assert (again["created"], again["skipped"]) == (0, 30)
    assert session.scalar(select(func.count(Client.id))) == 30

    reverted = _run(app, "import", "revert", "2", "--json")
    assert json.loads(reverted.stdout) == {"deleted": 30, "restored": 0}
    assert session.scalar(select(func.count(Client.id))) == 0


def test_cli_errors_are_one_line(app, tmp_path, demo_users):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = _run(app, "import", "clients", str(empty))
    assert result.exit_code == 1 and result.stderr.strip() == "Ошибка: Файл пуст"
    fake = tmp_path / "fake.xlsx"
    fake.write_text("не таблица")
    result = _run(app, "import", "clients", str(fake))
    assert result.exit_code == 1 and "не является книгой Excel" in result.stderr
    good = tmp_path / "good.csv"
    good.write_bytes(to_csv([company_row(random.Random(1), "Х")]))
    result = _run(app, "import", "clients", str(good), "--user", "nobody")
    assert result.exit_code == 1 and "Пользователь «nobody» не найден" in result.stderr
    assert _run(app, "import", "clients", str(good), "--mode", "merge").exit_code == 2
    assert _run(app, "import", "revert", "999").stderr.strip() == "Ошибка: Импорт #999 не найден"
