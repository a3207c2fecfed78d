"""Lists and feeds read what their rows show with the rows: more rows, no more statements.

Found by opening every page the demo data links to and counting statements repeated within one
request: the discount queue read each row's deal, client and people one at a time, the requests
journal each row's client and requester, the document templates each template's versions, a
deal's feed each stage move's stage. Each test opens the page as the head of sales (who sees the
most rows), checks what it shows, and bounds its statements below one per row.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from models.documents.tables import DocumentTemplate
from models.sales.deals import DealStageHistory
from tests.conftest import login
from tests.demo_data import load_demo
from tests.statements import warm_page


@pytest.fixture
def head(app, client):
    load_demo(app)
    assert login(client, "head").status_code == 302
    return client


def _opened(client, engine, url: str) -> tuple[str, int]:
    page, seen = warm_page(client, engine, url)
    return page, len(seen)


def test_the_discount_queue_reads_its_rows_deals_clients_and_people_with_them(head, engine):
    page, statements = _opened(head, engine, "/discounts/")
    deals = set(re.findall(r'href="/deals/(\d+)"', page))
    assert len(deals) >= 4, "the demo's open requests are about several deals"
    assert statements <= 6, statements  # 18 when each row read its deal and client


def test_the_requests_journal_reads_clients_and_requesters_with_the_requests(head, engine, session):
    page, statements = _opened(head, engine, "/collaboration/requests")
    assert len(set(re.findall(r'href="/collaboration/requests/(\d+)"', page))) >= 1
    assert statements <= 3, statements


def test_the_templates_page_reads_every_templates_versions_at_once(head, engine, session):
    templates = session.scalar(select(func.count(DocumentTemplate.id)))
    assert templates >= 3, "the demo has several templates"
    page, statements = _opened(head, engine, "/documents/templates")
    names = session.scalars(select(DocumentTemplate.name)).all()
    assert all(name in page for name in names)
    assert statements < 1 + templates, statements  # 6 with the three demo templates' versions one by one


def test_a_deals_feed_names_each_stage_with_its_move(head, engine, session):
    """A deal that went through many stages costs its feed no more statements than one that did not."""
    stages = func.count(DealStageHistory.stage_id.distinct())
    by_stages = select(DealStageHistory.deal_id, stages).group_by(DealStageHistory.deal_id)
    first = DealStageHistory.deal_id
    travelled, many = session.execute(by_stages.order_by(stages.desc(), first).limit(1)).one()
    stayed, few = session.execute(by_stages.order_by(stages, first).limit(1)).one()
    assert many >= 3 and few == 1, "demo deals moved through several stages, and some stayed in one"
    page, seen = warm_page(head, engine, f"/collaboration/deals/{travelled}/timeline")
    assert page.count("Этап сделки") >= many
    stage_reads = [s for s in seen if s.lstrip().upper().startswith("SELECT FUNNEL_STAGE.")]
    assert len(stage_reads) <= 1, stage_reads  # the deal's own stage at most, not one per move
    assert len(seen) == _opened(head, engine, f"/collaboration/deals/{stayed}/timeline")[1]
