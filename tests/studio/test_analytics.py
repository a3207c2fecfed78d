"""Acceptance 3: the analytics overlay of lead_handling on demo data matches a SQL check."""

from __future__ import annotations

import csv
import io
import math

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from tests.browser import log_in
from tests.demo_data import load_demo
from web.cli import cli
from web.studio.formatting import ms

PASSED_SQL = """
SELECT e.element_id, e.duration_ms FROM process_event e JOIN process_instance i ON i.id = e.instance_id
WHERE i.process_key = 'lead_handling' AND e.element_id IS NOT NULL
  AND e.kind IN ('task_completed', 'user_task_completed', 'timer_fired', 'event_caught', 'error_thrown')
"""


def _run(app, *args):
    result = app.test_cli_runner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def demo(app):
    load_demo(app)


def _expected(session) -> dict[str, str]:
    """The badge text of each node, computed straight from process_event."""
    durations: dict[str, list[float]] = {}
    for element, duration in session.execute(text(PASSED_SQL)):
        durations.setdefault(element, []).append(duration)
    expected = {}
    for element, values in durations.items():
        known = sorted(v for v in values if v is not None)
        badge = f"{len(values)} · ср. {ms(sum(known) / len(known))}"
        if known:
            badge += f" · p90 {ms(known[math.ceil(0.9 * len(known)) - 1])}"
        expected[element] = badge
    return expected


def test_the_overlay_shows_counts_and_durations_of_process_event(demo, as_user, session):
    expected = _expected(session)
    assert expected["contact"].startswith("2")  # the demo's history: dozens of leads
    assert int(expected["contact"].split(" ")[0]) >= 20 and "ч" in expected["contact"]
    assert "contact_senior" in expected and "overdue" in expected and "reminder" in expected
    view = as_user("analyst").get("/studio/api/processes/lead_handling/analytics").get_json()
    shown = {b["element"]: b["text"] for b in view["badges"] if b["kind"] == "info"}
    assert shown == expected
    assert "heat-4" in view["markers"]["contact"] or "heat-4" in view["markers"]["contact_senior"]
    rows = view["details"]["contact"][0]["rows"]
    assert ["Прошло экземпляров", expected["contact"].split(" ")[0]] in rows


def test_the_page_csv_and_kpis(demo, as_user, session):
    analyst = as_user("analyst")
    page = analyst.get("/studio/processes/lead_handling/analytics?version=1")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for words in ("Узкие места", "Частые пути", "Доля эскалированных", "Время прохождения p50 / p90"):
        assert words in html
    contact = session.execute(
        text(
            "SELECT count(*) FROM process_event e JOIN process_instance i "
            "ON i.id = e.instance_id WHERE i.process_key = 'lead_handling' "
            "AND e.element_id = 'contact' AND e.kind = 'user_task_completed'"
        )
    ).scalar()
    answer = analyst.get("/studio/processes/lead_handling/analytics.csv")
    assert answer.headers["Content-Type"].startswith("text/csv")
    rows = {
        r[0]: r
        for r in csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    }
    assert rows["contact"][2] == str(contact)
    escalated = session.execute(
        text("SELECT count(DISTINCT h.instance_id) FROM human_task h WHERE h.escalated_at IS NOT NULL")
    ).scalar()
    started = session.execute(
        text("SELECT count(*) FROM process_instance WHERE process_key = 'lead_handling'")
    ).scalar()
    assert escalated > 0
    assert f"{escalated / started * 100:.0f} %" in html
    assert analyst.get("/studio/processes/lead_handling/analytics?since=вчера").status_code == 422
    assert as_user("manager").get("/studio/processes/lead_handling/analytics").status_code == 403


@pytest.mark.browser
def test_the_overlay_in_the_browser(demo, page, shots, session):
    expected = _expected(session)
    log_in(page, "analyst")
    page.goto("/studio/processes/lead_handling/analytics")
    expect(page.locator("#analytics-viewer")).to_have_attribute("data-ready", "1")
    for element in ("contact", "assign", "overdue"):
        expect(page.locator(f'#analytics-viewer .studio-badge-info[data-element="{element}"]')).to_have_text(
            expected[element]
        )
    page.locator('#analytics-viewer .djs-element.djs-shape[data-element-id="contact"]').click()
    expect(page.locator("#node-detail")).to_contain_text("Ожидание в очереди")
    page.screenshot(path=str(shots / "studio-analytics.png"), full_page=True)
    assert page.js_errors == []
