"""Custom report and subscription pages: build, open, download, refuse bad input, subscribe, unsubscribe."""

from __future__ import annotations

import io

import openpyxl
from sqlalchemy import select

from models.reports.schedules import unsubscribe_token
from models.reports.stored import ReportOptOut, ReportSubscription, SavedReport
from tests.conftest import csrf_from, login
from tests.reports.conftest import NOW


def test_build_open_and_download_a_report(sales, client, clock, session):
    clock.set(NOW)
    login(client, "manager")
    form = client.get("/reports/custom/new?entity=deals").get_data(as_text=True)
    token = csrf_from(form)
    refused = client.post(
        "/reports/custom/new",
        data={
            "csrf_token": token,
            "entity": "deals",
            "name": "",
            "measure_fn": "sum",
            "measure_field": "client",
        },
    )
    assert refused.status_code == 422 and "Назовите отчёт" in refused.get_data(as_text=True)
    assert session.scalar(select(SavedReport)) is None
    made = client.post(
        "/reports/custom/new",
        data={
            "csrf_token": token,
            "entity": "deals",
            "name": "По этапам",
            "group_1": "stage",
            "measure_fn": "sum",
            "measure_field": "premium",
            "chart": "bar",
            "shared_roles": ["head"],
        },
    )
    assert made.status_code == 302
    page = client.get(made.headers["Location"]).get_data(as_text=True)
    assert (
        "Договор" in page and "40 000,00 ₽" in page and 'id="report-data"' in page and "<script>" not in page
    )
    report_id = session.scalar(select(SavedReport.id))
    csv = client.get(f"/reports/custom/{report_id}.csv")
    assert csv.data.startswith(b"\xef\xbb\xbf") and b";" in csv.data
    xlsx = client.get(f"/reports/custom/{report_id}.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet["A1"].value == "Этап" and sheet["B1"].value == "Сумма: Премия"
    client.post("/logout", data={"csrf_token": token})
    login(client, "manager2")
    assert client.get(f"/reports/custom/{report_id}").status_code == 403


def test_subscribe_and_unsubscribe_through_the_pages(sales, client, clock, session, demo_users, app):
    clock.set(NOW)
    login(client, "head")
    page = client.get("/reports/subscriptions?target=dashboard").get_data(as_text=True)
    token = csrf_from(page)
    bad = client.post(
        "/reports/subscriptions",
        data={
            "csrf_token": token,
            "target": "dashboard",
            "weekday": "0",
            "hour": "25",
            "zone": "Mars/Olympus",
        },
    )
    assert bad.status_code == 422 and "Неизвестный часовой пояс" in bad.get_data(as_text=True)
    ok = client.post(
        "/reports/subscriptions",
        data={
            "csrf_token": token,
            "target": "dashboard",
            "weekday": "0",
            "hour": "9",
            "minute": "0",
            "zone": "Europe/Moscow",
            "user_ids": [str(demo_users["head"].id)],
            "skip_empty": "on",
        },
    )
    assert ok.status_code == 302
    sub = session.scalars(select(ReportSubscription)).one()
    assert (
        client.post(f"/reports/subscriptions/{sub.id}/send-now", data={"csrf_token": token}).status_code
        == 302
    )
    token_of_head = unsubscribe_token(app.extensions["crm.settings"], sub.id, sub.created_by_id)
    link = f"/reports/unsubscribe/{sub.id}/{token_of_head}"
    assert "Отписаться" in client.get(link).get_data(as_text=True)
    assert session.scalar(select(ReportOptOut)) is None  # a GET never acts
    assert client.post(link, data={"csrf_token": token}).status_code == 302
    assert session.scalar(select(ReportOptOut)).user_id == demo_users["head"].id
