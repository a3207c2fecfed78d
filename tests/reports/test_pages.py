"""Dashboard and plan pages over HTTP: who sees what, the head edits plans, bad input refused in Russian."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from models.reports.plans import SalesPlan
from tests.conftest import csrf_from, login
from tests.reports.conftest import NOW


def test_start_page_is_the_dashboard_for_head_and_senior_but_my_day_for_a_manager(sales, client, clock):
    clock.set(NOW)
    login(client, "head")
    page = client.get("/").get_data(as_text=True)
    assert "Дашборд отдела продаж" in page and 'data-part="funnel"' in page and "<script>" not in page
    client.post("/logout", data={"csrf_token": csrf_from(page)})
    login(client, "manager")
    day = client.get("/").get_data(as_text=True)
    assert "Мой день" in day and 'data-part="funnel"' not in day
    own = client.get("/reports/").get_data(as_text=True)
    assert "Мои показатели" in own and not _names(own, "D4")  # D4 is manager2's hot deal


def test_head_edits_plans_and_a_manager_may_not(sales, client, clock, session, demo_users):
    clock.set(NOW)
    login(client, "head")
    form = client.get("/reports/plans?month=2026-02-01").get_data(as_text=True)
    manager = demo_users["manager"].id
    answer = client.post(
        "/reports/plans",
        data={
            "csrf_token": csrf_from(form),
            "month": "2026-02-01",
            f"deals_{manager}": "2",
            f"premium_{manager}": "100 000",
        },
    )
    assert answer.status_code == 302
    assert session.scalars(select(SalesPlan)).one().premium_kop == 10_000_000
    refused = client.post(
        "/reports/plans",
        data={
            "csrf_token": csrf_from(form),
            "month": "2026-02-01",
            f"deals_{manager}": "два",
            f"premium_{manager}": "-5",
        },
    )
    assert refused.status_code == 422 and "целое число" in refused.get_data(as_text=True)
    session.expire_all()
    assert session.scalars(select(SalesPlan)).one().deals == 2
    client.post("/logout", data={"csrf_token": csrf_from(form)})
    login(client, "manager")
    page = client.get("/reports/plans").get_data(as_text=True)
    denied = client.post(
        "/reports/plans", data={"csrf_token": csrf_from(page), "month": "2026-02-01", f"deals_{manager}": "9"}
    )
    assert denied.status_code == 403
    assert date(2026, 2, 1) == session.scalars(select(SalesPlan)).one().month


def test_a_bad_filter_is_a_400_in_russian(sales, client, clock):
    clock.set(NOW)
    login(client, "head")
    answer = client.get("/reports/?period=decade")
    assert answer.status_code == 400 and "Неизвестный период" in answer.get_data(as_text=True)
    assert client.get("/reports/?date=31.02.2026").status_code == 400


def _names(html: str, title: str) -> bool:
    """The deal ``title`` as a word of the page (a random CSRF token may hold «D4» inside it)."""
    return re.search(rf"(?<![\w-]){re.escape(title)}(?![\w-])", html) is not None


def test_the_dashboard_is_a_shell_and_each_tile_comes_by_its_own_request(sales, client, clock):
    """The page waits for its slowest tile, not for the sum: the shell has no figures, only the
    slots with their part's address (filter kept); each part answers a fragment in the viewer's scope."""
    clock.set(NOW)
    login(client, "head")
    shell = client.get("/reports/?period=quarter").get_data(as_text=True)
    assert shell.count("data-part=") == 11  # four flags, funnel, forecast, plan, outcomes, hot, two losses
    assert 'data-src="/reports/part/stuck?period=quarter"' in shell and not _names(shell, "D4")
    assert client.get("/reports/part/stuck").get_data(as_text=True).strip() == "2"
    funnel = client.get("/reports/part/funnel").get_data(as_text=True)
    assert 'id="funnel-table"' in funnel and 'data-chart="funnel"' in funnel and "<script>" not in funnel
    assert _names(client.get("/reports/part/hot").get_data(as_text=True), "D4")
    assert client.get("/reports/part/nothing").status_code == 404
    assert client.get("/reports/part/stuck?period=decade").status_code == 400
    client.post("/logout", data={"csrf_token": csrf_from(shell)})
    login(client, "manager")
    assert not _names(client.get("/reports/part/hot").get_data(as_text=True), "D4")  # manager2's deal
    assert client.get("/reports/part/stuck").get_data(as_text=True).strip() == "1"  # own D5
