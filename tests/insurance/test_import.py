"""Importing policies and claims from CSV/XLSX like clients: bad rows rejected with reasons, the good ones
kept, re-imports update by number, dry runs write nothing, the row report; the page and the command."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from models.clients.cards import Client
from models.clients.imports.files import ImportFileError
from models.insurance.imports import rows_of, run_import
from models.insurance.policies import Claim, Policy
from models.platform.clock import ManualClock
from tests.clients.import_files import to_csv, to_xlsx
from tests.conftest import csrf_from, login
from web.cli import cli

D = Decimal
POLICY_HEADER = [
    "Номер полиса",
    "ИНН",
    "КПП",
    "Продукт",
    "Страховщик",
    "Страховая сумма",
    "Премия",
    "Начало",
    "Окончание",
    "Статус",
    "Филиал",
]
CLAIM_HEADER = [
    "Номер убытка",
    "Номер полиса",
    "ИНН",
    "Дата события",
    "Выплачено",
    "Резерв",
    "Описание",
    "Продукт",
]


@pytest.fixture
def clients(session, demo_users):
    owner = demo_users["manager"]
    one = Client(kind="company", full_name="ООО «Ромашка»", inn="7707083893", kpp="770701001", owner=owner)
    head = Client(kind="company", full_name="АО «Север»", inn="7736050003", kpp="773601001", owner=owner)
    branch = Client(
        kind="company", full_name="АО «Север» (Казань)", inn="7736050003", kpp="165601001", owner=owner
    )
    session.add_all([one, head, branch])
    session.commit()
    return {"one": one, "head": head, "branch": branch}


POLICIES = [
    [
        "КАС-1",
        "7707083893",
        "",
        "каско",
        "СОГАЗ",
        "40 000 000",
        "1 000 000,50",
        "01.02.2025",
        "31.01.2026",
        "Действует",
        "",
    ],
    [
        "ИМУ-1",
        "7736050003",
        "165601001",
        "Страхование имущества",
        "ВСК",
        "",
        "250000",
        "2025-03-01",
        "2026-02-28",
        "",
        "Склад в Казани",
    ],
    ["БЕЗ-ИНН", "", "", "КАСКО", "", "", "100000", "01.01.2025", "31.12.2025", "", ""],
    ["ДВА-1", "7736050003", "", "КАСКО", "", "", "100000", "01.01.2025", "31.12.2025", "", ""],
    ["ЖИЗНЬ-1", "7707083893", "", "Жизнь", "", "", "100000", "01.01.2025", "31.12.2025", "", ""],
    ["ДАТА-1", "7707083893", "", "ДМС", "", "", "100000", "31.12.2025", "01.01.2025", "", ""],
    ["МИНУС-1", "7707083893", "", "ДМС", "", "", "-5", "01.01.2025", "31.12.2025", "", ""],
    ["НЕТ-1", "7700000000", "", "ДМС", "", "", "5", "01.01.2025", "31.12.2025", "", ""],
]
REASONS = {
    4: "Не указан ИНН страхователя",
    5: "С ИНН 7736050003 несколько карточек (филиалы): укажите КПП",
    6: "Неизвестный продукт «Жизнь»: КАСКО, ОСАГО, ДМС, НС, Имущество, Грузы, Ответственность",
    7: "Окончание полиса должно быть позже начала",
    8: "Премия: сумма не может быть отрицательной",
    9: "Клиент с ИНН 7700000000 не найден: сначала импортируйте или заведите клиента",
}


def _rejected(batch, session) -> dict[int, str]:
    return {r.row_no: r.reason for r in rows_of(session, batch)}


def test_policies_from_csv_good_rows_kept_bad_ones_rejected_with_reasons(session, clients, clock):
    batch = run_import(
        session,
        "policies",
        to_csv(POLICIES, header=POLICY_HEADER),
        "полисы.csv",
        user_id=None,
        dry_run=False,
        now=clock.now(),
    )
    session.commit()
    assert (batch.created_count, batch.rejected_count) == (2, 6)
    assert _rejected(batch, session) == REASONS
    kasko = session.scalar(select(Policy).where(Policy.number == "КАС-1"))
    assert (kasko.client_id, kasko.product, kasko.premium, kasko.insured_sum, kasko.insurer) == (
        clients["one"].id,
        "КАСКО",
        D("1000000.50"),
        D("40000000.00"),
        "СОГАЗ",
    )
    prop = session.scalar(select(Policy).where(Policy.number == "ИМУ-1"))
    assert (prop.client_id, prop.product, prop.branch) == (
        clients["branch"].id,
        "Имущество",
        "Склад в Казани",
    )


def test_the_same_file_again_updates_by_number_and_reports_unchanged_rows(session, clients, clock):
    data = to_csv(POLICIES[:2], header=POLICY_HEADER)
    run_import(session, "policies", data, "p.csv", user_id=None, dry_run=False, now=clock.now())
    session.commit()
    again = run_import(session, "policies", data, "p.csv", user_id=None, dry_run=False, now=clock.now())
    assert (again.created_count, again.updated_count, again.skipped_count) == (0, 0, 2)
    changed = [list(POLICIES[0]), list(POLICIES[1])]
    changed[0][6] = "1 100 000"
    changed[0][9] = "Расторгнут"
    third = run_import(
        session,
        "policies",
        to_csv(changed, header=POLICY_HEADER),
        "p2.csv",
        user_id=None,
        dry_run=False,
        now=clock.now(),
    )
    session.commit()
    assert (third.updated_count, third.skipped_count) == (1, 1)
    [updated] = rows_of(session, third, ("updated",))
    assert updated.reason == "Изменено: премия, статус"
    assert session.scalar(select(func.count(Policy.id))) == 2
    assert session.scalar(select(Policy.status).where(Policy.number == "КАС-1")) == "cancelled"


def test_claims_from_xlsx_by_policy_number_or_inn_and_a_dry_run_writes_nothing(session, clients, clock):
    run_import(
        session,
        "policies",
        to_csv(POLICIES[:1], header=POLICY_HEADER),
        "p.csv",
        user_id=None,
        dry_run=False,
        now=clock.now(),
    )
    session.commit()
    rows = [
        ["У-1", "КАС-1", "", date(2025, 6, 3), 250000, 50000, "ДТП", ""],
        ["У-2", "", "7707083893", "10.07.2025", "", "", "Без полиса, по ИНН", "ДМС"],
        ["У-3", "НЕТ-ТАКОГО", "", "10.07.2025", "1", "", "", ""],
        ["У-4", "КАС-1", "", "вчера", "1", "", "", ""],
        ["У-5", "", "7707083893", "10.07.2025", "1", "", "", ""],
    ]
    data = to_xlsx(rows, header=CLAIM_HEADER)
    trial = run_import(session, "claims", data, "убытки.xlsx", user_id=None, dry_run=True, now=clock.now())
    session.commit()
    assert (trial.created_count, trial.rejected_count) == (2, 3)
    assert session.scalar(select(func.count(Claim.id))) == 0
    batch = run_import(session, "claims", data, "убытки.xlsx", user_id=None, dry_run=False, now=clock.now())
    session.commit()
    assert _rejected(batch, session) == {
        4: "Полис № НЕТ-ТАКОГО не найден: сначала импортируйте полисы",
        5: "Дата события: «вчера» — не дата (пример: 31.12.2025)",
        6: "Не указан продукт (или номер полиса, по которому он известен)",
    }
    first = session.scalar(select(Claim).where(Claim.number == "У-1"))
    assert (first.product, first.paid, first.reserved, first.status, first.occurred_on) == (
        "КАСКО",
        D("250000.00"),
        D("50000.00"),
        "open",
        date(2025, 6, 3),
    )
    second = session.scalar(select(Claim).where(Claim.number == "У-2"))
    assert (second.client_id, second.policy_id, second.product, second.status) == (
        clients["one"].id,
        None,
        "ДМС",
        "settled",
    )


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"", "x.csv", "Файл пуст"),
        (b"\xff\xfeN\x00", "x.csv", "UTF-16"),
        (
            "Наименование;Адрес\nООО;Москва\n".encode(),
            "x.csv",
            "Не найдены столбцы: «Номер полиса», «Продукт»",
        ),
        (b"old", "x.xls", "Старый формат Excel"),
    ],
)
def test_unreadable_files_are_refused_and_nothing_is_stored(session, data, name, message):
    with pytest.raises(ImportFileError) as refused:
        run_import(session, "policies", data, name, user_id=None, dry_run=False, now=ManualClock().now())
    assert message in str(refused.value)


def test_the_import_page_and_its_row_report(client, session, clients):
    login(client, "backoffice")
    page = client.get("/insurance/import")
    assert page.status_code == 200 and "Импорт полисов и убытков" in page.get_data(as_text=True)
    token = csrf_from(page.get_data(as_text=True))
    sent = client.post(
        "/insurance/import",
        data={
            "csrf_token": token,
            "kind": "policies",
            "file": (io.BytesIO(to_csv(POLICIES, header=POLICY_HEADER)), "полисы.csv"),
        },
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302
    result = client.get(sent.headers["Location"])
    text = result.get_data(as_text=True)
    assert "Создано 2, обновлено 0, без изменений 0, отклонено 6" in text
    assert "Не указан ИНН страхователя" in text
    report_url = sent.headers["Location"].rstrip("/") + "/report.csv"
    report = client.get(report_url)
    rows = list(csv.reader(io.StringIO(report.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:4] == ["Строка", "Результат", "Причина", "Номер полиса"]
    assert rows[1][:4] == ["4", "отклонён", "Не указан ИНН страхователя", "БЕЗ-ИНН"]
    refused = client.post(
        "/insurance/import",
        data={"csrf_token": token, "kind": "claims", "file": (io.BytesIO(b""), "empty.csv")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422 and "Файл пуст" in refused.get_data(as_text=True)
    login_manager = client.application.test_client()
    login(login_manager, "manager")
    assert login_manager.get("/insurance/import").status_code == 403


def test_crm_import_policies_and_claims_commands(app, session, clients, tmp_path):
    policies = tmp_path / "policies.csv"
    policies.write_bytes(to_csv(POLICIES[:2], header=POLICY_HEADER))
    result = app.test_cli_runner().invoke(cli, ["import", "policies", str(policies), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["created"] == 2
    claims = tmp_path / "claims.csv"
    claims.write_bytes(to_csv([["У-9", "КАС-1", "", "01.03.2025", "1000", "", "", ""]], header=CLAIM_HEADER))
    dry = app.test_cli_runner().invoke(cli, ["import", "claims", str(claims), "--dry-run"])
    assert dry.exit_code == 0 and "Пробный прогон" in dry.output and "создано 1" in dry.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"")
    failed = app.test_cli_runner().invoke(cli, ["import", "claims", str(bad)])
    assert failed.exit_code != 0 and "Ошибка: Файл пуст" in failed.output
