"""Custom reports: the viewer's rights, group-bys by Moscow month, measures; CSV and XLSX for Excel."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from models.reports.custom import ReportDefinitionError, run_report
from models.reports.exports import to_csv, to_xlsx
from models.reports.saved import get_report, report_result, save_report
from tests.reports.conftest import NOW

BY_OWNER = {
    "entity": "deals",
    "name": "Премия по менеджерам",
    "group_1": "owner",
    "measure_fn": "sum",
    "measure_field": "premium",
    "chart": "bar",
}


def test_a_managers_saved_report_never_shows_another_managers_deals(sales, session, demo_users):
    manager, manager2, head = demo_users["manager"], demo_users["manager2"], demo_users["head"]
    listing = save_report(session, manager, {"entity": "deals", "name": "Мои сделки"}, ["manager"], NOW)
    grouped = save_report(session, manager, BY_OWNER, ["manager", "head"], NOW)
    session.commit()
    titles = {row[0] for row in report_result(session, manager, listing).rows}
    assert titles == {"D1", "D2", "D5", "D6"}
    assert [row[0] for row in report_result(session, manager, grouped).rows] == [manager.full_name]
    # the same saved report, shared with managers, shows manager2 only manager2's deals
    shared = get_report(session, manager2, listing.id)
    assert {row[0] for row in report_result(session, manager2, shared).rows} == {"D3", "D4"}
    # the head sees everyone's in the report shared with the role
    by_owner = {row[0]: row[1] for row in report_result(session, head, grouped).rows}
    assert by_owner == {manager.full_name: Decimal("220000.00"), manager2.full_name: Decimal("280000.00")}


def test_group_by_moscow_month_with_count_and_filters(sales, session, demo_users):
    head = demo_users["head"]
    result = run_report(
        session,
        head,
        "deals",
        {"group_by": ["closed_at:month", "status"], "measures": [{"fn": "count"}], "filters": []},
    )
    assert [r for r in result.rows if r[0] is not None] == [
        ["2026-01", "lost", 1],
        ["2026-01", "won", 1],
        ["2026-02", "won", 1],
    ]
    quarter = run_report(
        session,
        head,
        "deals",
        {
            "group_by": ["created_at:quarter"],
            "measures": [{"fn": "avg", "field": "premium"}, {"fn": "max", "field": "premium"}],
            "filters": [{"field": "status", "op": "eq", "value": "open"}],
        },
    )
    assert quarter.rows == [["2026-Q1", Decimal("90000.00"), Decimal("200000.00")]]


def test_a_definition_that_cannot_run_is_refused_in_russian(sales, session, demo_users):
    with pytest.raises(ReportDefinitionError) as refused:
        save_report(
            session,
            demo_users["head"],
            {
                "entity": "deals",
                "name": "",
                "group_1": "premium",
                "group_2": "title",
                "measure_fn": "sum",
                "measure_field": "client",
            },
            [],
            NOW,
        )
    assert set(refused.value.errors) == {"name", "group_by", "measures"}
    with pytest.raises(ReportDefinitionError):
        run_report(session, demo_users["head"], "contracts", {})


def test_csv_opens_with_russian_excel_defaults(sales, session, demo_users):
    result = run_report(
        session, demo_users["head"], "deals", {"filters": [{"field": "title", "op": "eq", "value": "D1"}]}
    )
    data = to_csv(result)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig").splitlines()
    assert text[0].split(";")[:3] == ["Сделка", "Клиент", "Отрасль"]
    row = dict(zip(text[0].split(";"), text[1].split(";"), strict=True))
    assert row["Премия"] == "100000,00" and row["Вероятность"] == "100"
    assert row["Закрыта"] == "31.01.2026 23:30" and row["Клиент"] == "ООО «Логистика»"


def test_xlsx_cells_have_types_and_formats(sales, session, demo_users):
    head = demo_users["head"]
    listing = run_report(session, head, "deals", {"filters": [{"field": "title", "op": "eq", "value": "D4"}]})
    grouped = run_report(
        session, head, "deals", {"group_by": ["owner"], "measures": [{"fn": "sum", "field": "premium"}]}
    )
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx([("Сделки", listing), ("По менеджерам", grouped)])))
    assert book.sheetnames == ["Сделки", "По менеджерам"]
    sheet = book["Сделки"]
    header = [c.value for c in sheet[1]]
    cells = dict(zip(header, sheet[2], strict=True))
    assert cells["Премия"].value == 200000 and cells["Премия"].number_format == '#,##0.00 "₽"'
    assert cells["Вероятность"].value == pytest.approx(0.7) and cells["Вероятность"].number_format == "0.0%"
    assert cells["Ожидаемая дата закрытия"].value == datetime(2026, 2, 20)
    assert (
        cells["Ожидаемая дата закрытия"].is_date
        and cells["Ожидаемая дата закрытия"].number_format == "DD.MM.YYYY"
    )
    assert cells["Создана"].value == datetime(2026, 1, 15, 12, 0)  # 09:00 UTC in Moscow
    totals = {row[0].value: row[1].value for row in book["По менеджерам"].iter_rows(min_row=2)}
    assert totals[demo_users["manager2"].full_name] == 280000
    assert date(2026, 2, 20) == cells["Ожидаемая дата закрытия"].value.date()
