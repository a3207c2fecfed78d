"""Pages do not read what they already have, nor ask what cannot match, nor read lists they do not show.

Found by listing the statements of the manager's home, the inbox and the client card on the
web bench's data: the signed-in user's department was read on its own after the session check
that had just read the user; a process filter still sent the ad-hoc tasks' query with
``task.id IS NULL``; the client card read the merged clients' ids and then the same merge
records whole, and each likely duplicate's manager one by one; the head's home read the whole
discount queue page (every open request, the head's own requests) to show the requests waiting
for the head. Each test fails on the code before these mends.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from tests.conftest import login
from tests.demo_data import load_demo
from tests.statements import warm_page

ADHOC_PAGE = re.compile(r"^\s*SELECT task\.id\b", re.IGNORECASE)  # the inbox's ad-hoc tasks, not a count
DEPARTMENT_ALONE = re.compile(r"^\s*SELECT department\.id\b.*\bFROM department\b", re.IGNORECASE | re.DOTALL)


@pytest.fixture
def manager(app, client):
    load_demo(app)
    assert login(client, "manager").status_code == 302
    return client


@pytest.mark.parametrize("url", ["/", "/inbox/"])
def test_the_users_department_comes_with_the_session_check(manager, engine, url):
    page, seen = warm_page(manager, engine, url)
    assert "</h1>" in page
    assert not [s for s in seen if DEPARTMENT_ALONE.match(s)], "the department was read on its own"


def test_a_process_filter_does_not_ask_for_ad_hoc_tasks(manager, engine):
    _page, unfiltered = warm_page(manager, engine, "/inbox/")
    assert [s for s in unfiltered if ADHOC_PAGE.match(s)], "the unfiltered inbox asks for ad-hoc tasks"
    page, filtered = warm_page(manager, engine, "/inbox/?process=lead_handling")
    assert "Входящие" in page
    assert not [s for s in filtered if ADHOC_PAGE.match(s)]


def test_the_client_card_reads_its_merges_once(manager, engine, session):
    from sqlalchemy import select

    from models.clients.cards import Client

    client_id = session.scalar(select(Client.id).join(Client.owner).where(Client.owner.has(login="manager"))
                               .order_by(Client.id).limit(1))
    page, seen = warm_page(manager, engine, f"/clients/{client_id}")
    assert session.get(Client, client_id).full_name in page.replace("&#34;", '"').replace("&quot;", '"')
    merges = [s for s in seen if re.search(r"\bFROM client_merge\b", s)]
    assert len(merges) == 1, merges


def test_the_heads_home_reads_only_the_requests_waiting_for_the_head(app, engine):
    load_demo(app)
    head = app.test_client()
    assert login(head, "head").status_code == 302
    page, seen = warm_page(head, engine, "/")
    assert "Скидки ждут решения" in page
    requests = [s for s in seen if re.search(r"\bFROM discount_request\b", s)]
    assert len(requests) == 1, requests  # 3 with the queue page's other two lists


def test_the_client_cards_duplicates_name_their_managers_without_a_read_each(client, session, engine,
                                                                              demo_users):
    """A card whose phone four other managers' clients share (without an INN: different INNs are
    different entities): the hints name each manager, and the card runs no more statements than
    with one such hint (each owner was a lazy load)."""
    from tests.clients.conftest import make_client

    mine = make_client(session, demo_users["manager"], "Общий номер", phone="+74957770011")
    login(client, "manager")
    make_client(session, demo_users["manager2"], "Сосед 1", phone="+74957770011", inn=None)
    page, one = warm_page(client, engine, f"/clients/{mine.id}")
    for n, who in enumerate(("manager3", "senior", "head"), start=2):
        make_client(session, demo_users[who], f"Сосед {n}", phone="+74957770011", inn=None)
    page, four = warm_page(client, engine, f"/clients/{mine.id}")
    assert page.count("клиент другого менеджера") + page.count("Сосед") >= 4
    assert all(demo_users[who].full_name in page for who in ("manager2", "manager3", "senior", "head"))
    assert len(four) <= len(one), (len(one), len(four))


def test_the_inbox_counts_the_bell_with_its_counters(manager, engine, session):
    """The unread notifications ride the counters' statement: the bell shows their number and no
    statement counts them on its own."""
    from datetime import UTC, datetime

    from models.identity.users import find_user
    from models.notifications.service import notify

    me = find_user(session, "manager")
    for n in range(3):
        notify(session, [me.id], "task_assigned", f"Проверка {n}", "Текст", datetime.now(UTC))
    session.commit()
    page, seen = warm_page(manager, engine, "/inbox/")
    unread = session.scalar(text("SELECT count(*) FROM notification WHERE user_id = :u AND read_at IS NULL"),
                            {"u": me.id})
    assert unread >= 3
    assert f'id="unread-count">{unread}<' in page
    alone = [s for s in seen if re.match(r"^\s*SELECT count\(notification\.id\)", s, re.IGNORECASE)]
    assert not alone, alone
