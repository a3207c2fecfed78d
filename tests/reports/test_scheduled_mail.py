"""Scheduled report e-mail: one letter per run and recipient even with two workers, XLSX attached."""

from __future__ import annotations

import io
import threading
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from models.platform.outbox import OutboxMessage, deliver_due
from models.reports.saved import save_report
from models.reports.schedules import next_run, opt_out, run_due, send_now, subscribe, unsubscribe_token
from models.reports.stored import ReportDelivery, ReportSubscription
from tests.reports.conftest import NOW
from tests.tasks.conftest import smtp_port, smtp_server  # noqa: F401  (fixtures)
from web.scheduler import job_context


@pytest.fixture
def settings_overrides(smtp_port) -> dict:  # noqa: F811
    return {"smtp_url": f"smtp://127.0.0.1:{smtp_port}", "base_url": "http://crm.test"}


def _monday_nine(sales, session, demo_users, app):
    manager = demo_users["manager"]
    report = save_report(session, manager, {"entity": "deals", "name": "Мои сделки"}, [], NOW)
    session.commit()
    sub = subscribe(
        session,
        manager,
        {
            "target": "saved",
            "saved_report_id": str(report.id),
            "weekday": "0",
            "hour": "9",
            "minute": "0",
            "zone": "Europe/Moscow",
        },
        [str(manager.id)],
        ["senior_manager"],
        app.extensions["crm.settings"],
        NOW,
    )
    session.commit()
    return sub


def test_next_run_is_monday_nine_in_moscow(sales, session, demo_users, app):
    sub = _monday_nine(sales, session, demo_users, app)
    # NOW is Tuesday 10.02.2026 12:00 MSK: the next Monday 09:00 MSK is 16.02 06:00 UTC
    assert sub.next_run_at == datetime(2026, 2, 16, 6, 0, tzinfo=UTC)
    assert next_run(sub, sub.next_run_at) == datetime(2026, 2, 23, 6, 0, tzinfo=UTC)


def test_a_scheduled_report_is_mailed_once_with_the_xlsx_even_with_two_workers(
    sales, session, demo_users, app, clock, smtp_server,  # noqa: F811
):
    sub = _monday_nine(sales, session, demo_users, app)
    clock.set(datetime(2026, 2, 16, 6, 0, 30, tzinfo=UTC))
    barrier = threading.Barrier(2)
    results: list[int] = []

    def worker() -> None:
        context = job_context(app)
        barrier.wait()
        results.append(run_due(context))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == [0, 2]  # manager and senior (by role): one worker queued both
    context = job_context(app)
    deliver_due(context.session_factory, clock, context.settings)
    assert run_due(context) == 0  # the run is done; the next one is a week later
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 2
    assert session.get(ReportSubscription, sub.id).next_run_at == datetime(2026, 2, 23, 6, 0, tzinfo=UTC)
    letters = {m["To"]: m for m in smtp_server.collector.messages}
    assert sorted(letters) == ["manager@demo.crm.local", "senior@demo.crm.local"]
    letter = letters["manager@demo.crm.local"]
    assert letter["Subject"] == "Отчёт «Мои сделки»"
    html = letter.get_body(("html",)).get_content()
    assert "D1" in html and "D4" not in html and "/reports/unsubscribe/" in html
    attachment = next(letter.iter_attachments())
    assert attachment.get_filename() == "report.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(attachment.get_content())).active
    titles = {row[0].value for row in sheet.iter_rows(min_row=2)}
    assert titles == {"D1", "D2", "D5", "D6"}  # the manager's rights
    senior = letters["senior@demo.crm.local"]
    senior_sheet = openpyxl.load_workbook(io.BytesIO(next(senior.iter_attachments()).get_content())).active
    assert {row[0].value for row in senior_sheet.iter_rows(min_row=2)} == {"D1", "D2", "D3", "D4", "D5", "D6"}


def test_send_now_and_unsubscribe(sales, session, demo_users, app, clock):
    sub = _monday_nine(sales, session, demo_users, app)
    settings = app.extensions["crm.settings"]
    manager = demo_users["manager"]
    assert send_now(session, manager, sub.id, settings, NOW) == 1
    session.commit()
    assert session.get(ReportSubscription, sub.id).next_run_at == datetime(2026, 2, 16, 6, 0, tzinfo=UTC)
    opt_out(session, manager, sub.id, unsubscribe_token(settings, sub.id, manager.id), settings)
    session.commit()
    clock.set(datetime(2026, 2, 16, 6, 1, tzinfo=UTC))
    assert run_due(job_context(app)) == 1  # only the senior manager now
    session.expire_all()
    users = set(
        session.scalars(select(ReportDelivery.user_id).where(ReportDelivery.run_at > NOW + timedelta(days=1)))
    )
    assert users == {demo_users["senior"].id}
