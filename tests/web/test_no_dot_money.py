"""Acceptance 3, second half: on the demo data no main page shows money with a dot decimal.

The demo is loaded as ``make run`` loads it; the head (who sees everything of sales) and a manager
open the main pages and a sample of cards; any amount written «1500000.50 ₽» or an input of money
holding «1500000.50» fails, naming the page.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from models.clients.cards import Client
from models.sales.deals import Deal
from models.sales.leads import Lead
from tests.conftest import login
from tests.demo_data import load_demo

PAGES = ("/", "/inbox/", "/clients/", "/leads/", "/deals/", "/deals/?funnel=company", "/deals/?funnel=person",
         "/deals/?funnel=state", "/deals/workload", "/discounts/", "/contracts/renewals", "/reports/",
         "/reports/plans", "/documents/")
_HIDDEN = re.compile(r"<(script|style)\b.*?</\1>", re.S)
# An amount with a dot decimal next to the rouble sign, in either order.
_DOT_MONEY = re.compile(r"\d\.\d{1,2}\s*(?:₽|руб)|₽\s*\d[\d\s]*\.\d{2}\b")
_MONEY_INPUT = re.compile(
    r'<input\b[^>]*(?:data-money|name="[a-z_]*(?:premium|amount|price)[a-z_0-9]*")[^>]*>', re.S)


def _problems(html: str) -> list[str]:
    text = _HIDDEN.sub("", html)
    found = [m.group(0) for m in _DOT_MONEY.finditer(text)]
    for tag in _MONEY_INPUT.findall(text):
        value = re.search(r'value="([^"]*)"', tag)
        if value and "." in value.group(1):
            found.append(tag)
    return found


@pytest.fixture
def demo(app):
    load_demo(app)


@pytest.mark.page_scan
def test_no_main_page_shows_money_with_a_dot(app, session, demo):
    recent = list(session.scalars(select(Deal).where(Deal.premium.is_not(None)).order_by(Deal.id.desc())
                                  .limit(300)))
    deals = [d.id for d in recent if d.competitor_offers][:4] + [d.id for d in recent[:4]]
    clients = list(session.scalars(select(Client.id).order_by(Client.id.desc()).limit(5)))
    leads = list(session.scalars(select(Lead.id).order_by(Lead.id.desc()).limit(3)))
    cards = ([f"/deals/{i}" for i in deals] + [f"/clients/{i}" for i in clients]
             + [f"/leads/{i}" for i in leads])
    shown = 0
    for who in ("head", "manager"):
        client = app.test_client()
        login(client, who)
        for url in (*PAGES, *cards):
            answer = client.get(url, follow_redirects=True)
            if answer.status_code != 200:
                continue  # a page this role may not open
            html = answer.get_data(as_text=True)
            assert _problems(html) == [], f"{who} {url}"
            shown += "₽" in html
    assert shown >= 10  # the scan saw money, not only empty pages
