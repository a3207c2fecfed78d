"""KPI with the head's formula and month closing, coaching beside the median, the weekly report's files."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from models.platform.permissions import AccessDenied
from models.reports.formula import FormulaError
from models.reports.kpi import close_month, kpi_sheet, set_formula
from models.reports.management import coaching_report
from models.reports.plans import set_plans
from models.sales.activities import log_activity
from tests.conftest import csrf_from, login
from tests.reports.conftest import NOW, at


def test_kpi_figures_bonus_and_corrections_after_closing(sales, session, demo_users):
    head, manager = demo_users["head"], demo_users["manager"]
    set_plans(session, head, date(2026, 2, 1), {manager.id: ("2", "100000")}, NOW)
    session.commit()
    row = next(r for r in kpi_sheet(session, head, date(2026, 2, 14)).rows if r.user.id == manager.id)
    assert {k: row.figures[k] for k in ("calls", "meetings", "won", "premium", "plan_pct")} == {
        "calls": 1, "meetings": 1, "won": 1, "premium": Decimal("50000.00"), "plan_pct": Decimal("50.0")}
    assert row.bonus == Decimal("1500.00")  # 3 % of the premium; the 2 % extra needs the plan done
    set_formula(session, head, "premium * 0.05 + calls * 100", NOW)
    session.commit()
    closed = close_month(session, head, date(2026, 2, 1), NOW)
    session.commit()
    log_activity(session, kind="call", subject="Поздно внесённый звонок", happened_at=at("2026-02-20"),
                 now=at("2026-03-02"), user_id=manager.id, deal=sales.deals["D6"])
    session.commit()
    set_formula(session, head, "premium * 0.10", NOW)  # a new formula does not touch a closed month
    session.commit()
    row = next(r for r in kpi_sheet(session, head, date(2026, 2, 1)).rows if r.user.id == manager.id)
    assert row.figures["calls"] == 1 and row.bonus == Decimal("2600.00") and row.corrections == {"calls": 1}
    assert closed.formula == "premium * 0.05 + calls * 100"
    with pytest.raises(FormulaError):
        close_month(session, head, date(2026, 2, 1), NOW)


def test_the_formula_is_safe_and_only_the_head_sets_it(sales, session, demo_users):
    head = demo_users["head"]
    for bad in ("__import__('os')", "premium.real", "open('x')", "bonus * 2", "[1, 2]"):
        with pytest.raises(FormulaError):
            set_formula(session, head, bad, NOW)
    with pytest.raises(AccessDenied):
        set_formula(session, demo_users["manager"], "premium * 0.01", NOW)


def test_coaching_beside_the_team_median(sales, session, demo_users):
    report = coaching_report(session, demo_users["head"], {"date": "2026-01-15"}, NOW)
    rows = {r.user.login: r for r in report.rows}
    assert rows["manager"].metrics["offer_conversion"] == Decimal("100.0")  # КП 15.01 → won 31.01
    assert rows["manager"].metrics["cycle_days"] == Decimal("21.5")
    assert rows["manager2"].metrics["offer_conversion"] is None
    assert rows["manager2"].loss_reasons == [("Дорого", 1)]
    assert report.median["offer_conversion"] == Decimal("100.0")
    own = coaching_report(session, demo_users["manager"], {"date": "2026-02-10"}, NOW)
    assert [r.user.login for r in own.rows] == ["manager"]
    assert own.rows[0].metrics["calls_week"] == Decimal("0.3")  # 1 call in 28 days = 0.25 a week


def test_weekly_report_page_print_view_and_xlsx(sales, client, clock):
    clock.set(NOW)
    login(client, "head")
    page = client.get("/reports/weekly?date=2026-02-02").get_data(as_text=True)
    assert "Оперативный отчёт для руководства" in page and "D5" in page
    assert "reports-print.css" in client.get("/reports/weekly?print=1").get_data(as_text=True)
    book = openpyxl.load_workbook(io.BytesIO(client.get("/reports/weekly?format=xlsx").data))
    assert book.sheetnames == ["Воронка", "План-факт", "Под угрозой", "Проигрыши", "Прогноз"]
    kpi = client.get("/reports/kpi?month=2026-02-01")
    assert kpi.status_code == 200 and "Закрыть месяц" in kpi.get_data(as_text=True)
    refused = client.post("/reports/kpi/formula", data={"csrf_token": csrf_from(page), "month": "2026-02-01",
                                                        "formula": "__import__('os')"})
    assert refused.status_code == 422
    kpi_file = client.get("/reports/kpi?month=2026-02-01&format=xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(kpi_file.data))
    assert workbook.active["A1"].value == "Менеджер"
    assert client.get("/reports/coaching").status_code == 200
