"""Statement-count guards: the main pages run a fixed number of SQL statements on a full demo
database with many more rows than a page shows (``MANY`` clients of the manager, each with deals
and tasks), whatever the number of rows (a regression tripwire for N+1 queries and for lists
that grow with the data, not a timing).

Each limit is what the page runs today plus a small margin; a page that starts walking
relations row by row, or a badge that counts what it does not show, goes over it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from engine.tables import HumanTask, TaskStatus
from models.clients.cards import Client
from models.identity.users import User, find_user
from models.sales.activities import log_activity
from models.sales.deals import Deal, open_deal
from models.sales.funnels import Funnel
from models.tasks.adhoc import Task
from tests.conftest import BROWSER, login
from tests.demo_data import load_demo
from tests.statements import compiled_anew, counted, warm_page

# page -> the most statements it may run (login check and session included; the badges ride the
# session check, as when a browser opens the page)
LIMITS = {
    "inbox": 12,  # counts its own badges: nothing rides the session check; its rows named in one statement
    "client list": 7,
    "client search": 5,  # PostgreSQL: both name halves and the rows in one statement
    "client card": 19,  # its likely duplicates: keys, names and marked pairs in one statement (two in all)
    "deals list": 9,
    "deals API": 4,  # the page of deals with their stage histories: two statements, not two per deal
    "deals search": 7,  # the title half, the client half, the page's rows (one statement on PostgreSQL)
    "board": 12,
    "deal card": 14,  # client, stage, owner and funnel come with the deal; stages and stays in one each
    "new task form": 7,  # the client is picked with a typeahead, never from a list
    "task form": 33,  # the first demo task may be a discount sign-off with the deal's whole context
    "home": 17,  # «Мой день»: tasks today and overdue, flagged deals, leads, calls (filled on demo data), КП;
    # the three task lists named together (``models.home.sales._task_lists``)
}


MANY = 120  # clients of the manager beyond the demo's, each with two deals and a task


def _many_rows(session) -> None:
    """Rows past every page size (50 a list page, 30 a board column) for the manager."""
    manager = find_user(session, "manager")
    funnel = session.scalars(select(Funnel).where(Funnel.code == "company")).one()
    now = datetime.now(UTC)
    for n in range(MANY):
        client = Client(kind="company", full_name=f"ООО «Массив {n:03d}»", inn=None, owner=manager)
        session.add(client)
        session.flush()
        for product in ("КАСКО", "ОСАГО"):
            deal = open_deal(session, client=client, funnel=funnel, owner_id=manager.id, now=now,
                             title=f"Массив {n:03d}: {product}", premium=Decimal("1000"))
        session.add(Task(title=f"Позвонить: массив {n:03d}", assignee_id=manager.id, creator_id=manager.id,
                         business_type="deal", business_id=deal.id, due_at=now + timedelta(days=1)))
    session.commit()


@pytest.fixture
def demo_db(app, session):
    load_demo(app)
    _many_rows(session)
    return session


def _pages(session) -> dict[str, str]:
    manager = find_user(session, "manager")
    client = session.scalars(select(Client).where(Client.owner_id == manager.id).order_by(Client.id)).first()
    deal = session.scalars(select(Deal).where(Deal.owner_id == manager.id).order_by(Deal.id)).first()
    funnel = session.scalars(select(Funnel).order_by(Funnel.id)).first()
    assert client and deal and funnel, "the demo data has the manager's records"
    word = client.full_name.replace("«", " ").replace("»", " ").split()[-1]
    return {
        "inbox": "/inbox/",
        "home": "/",
        "client list": "/clients/",
        "client search": f"/clients/?q={word}",
        "client card": f"/clients/{client.id}",
        "deals list": "/deals/",
        "deals API": "/api/v1/deals?limit=50",
        "deals search": "/deals/?q=каско",
        "new task form": "/inbox/tasks/new",
        "board": f"/deals/?funnel={funnel.code}",
        "deal card": f"/deals/{deal.id}",
    }


def _count(client, engine, url: str) -> int:
    return len(warm_page(client, engine, url)[1])


def test_main_pages_run_a_bounded_number_of_statements(demo_db, app, client, engine):
    assert demo_db.scalar(select(Deal.id).order_by(Deal.id.desc())) is not None
    pages = _pages(demo_db)
    assert login(client, "manager").status_code == 302
    counts = {name: _count(client, engine, url) for name, url in pages.items()}
    task = demo_db.scalars(select(HumanTask).where(HumanTask.assignee_id.is_not(None),
                                                   HumanTask.status == TaskStatus.OPEN)
                               .order_by(HumanTask.id)).first()
    assert task is not None, "the demo data has an open process task"
    other = app.test_client()
    assert login(other, demo_db.get(User, task.assignee_id).login).status_code == 302
    counts["task form"] = _count(other, engine, f"/inbox/process/{task.id}")
    over = {name: (n, LIMITS[name]) for name, n in counts.items() if n > LIMITS[name]}
    assert not over, f"pages over their statement budget (ran, allowed): {over}; all: {counts}"


def test_a_page_opened_again_compiles_no_statement(demo_db, client, engine):
    """Every statement of a warm page comes from SQLAlchemy's cache of compiled statements: a
    compile costs a millisecond or more, on every request of a page whose statement is built anew.
    Each page is opened twice first: the home page's «open deals minus the quiet ones» count was
    seen compiled on both of its first two requests in one run (and on the first only in another)
    and found in the cache from then on — the guard is for a statement compiled on every request."""
    pages = _pages(demo_db)
    assert login(client, "manager").status_code == 302
    anew = {}
    for name, url in pages.items():
        client.get(url, headers=BROWSER)
        client.get(url, headers=BROWSER)
        with compiled_anew(engine) as seen:
            assert client.get(url, headers=BROWSER).status_code == 200
        if seen:
            anew[name] = [" ".join(s.split())[:150] for s in seen]
    assert not anew, f"statements compiled on a warm page: {anew}"


def _badge_statements(client, engine, headers: dict[str, str]) -> tuple[list[str], list[str]]:
    client.get("/clients/", headers=headers)
    with counted(engine) as seen:
        answer = client.get("/clients/", headers=headers)
    assert answer.status_code == 200
    return seen, [s for s in seen if "human_task" in s and "notification" in s]


def test_the_navigation_badge_rides_the_session_check_on_a_page(demo_db, client, engine):
    assert login(client, "manager").status_code == 302
    seen, badge = _badge_statements(client, engine, BROWSER)
    assert len(badge) == 1 and "user_session" in badge[0], seen
    assert not [s for s in seen if "human_task" in s and s not in badge]
    assert not [s for s in seen if "user_session" in s and s not in badge]


def test_a_script_asking_for_a_page_reads_the_badge_in_one_statement_of_its_own(demo_db, client, engine):
    assert login(client, "manager").status_code == 302
    seen, badge = _badge_statements(client, engine, {"Accept": "*/*"})
    assert len(badge) == 1 and "user_session" not in badge[0], seen
    assert not [s for s in seen if "human_task" in s and s not in badge]


# the home page `/` of every other seed role (the manager's is in LIMITS)
HOME_LIMITS = {  # what each ran at the ninth stop of issue 15 plus a margin of 2–6
    "senior": 20,  # the team dashboard's tiles (``models.reports``) plus the approvals (14)
    "head": 16,  # (11)
    "backoffice": 12,  # its queues filled on demo data (requests in work, a document to rework) (15; 9 at
    # the twentieth stop: both queues named together)
    "lawyer": 7,  # (4)
    "underwriter": 12,  # (9)
    "product": 12,  # (9)
    "analyst": 13,  # (10)
    "admin": 11,  # (8)
}


def test_every_role_home_runs_a_bounded_number_of_statements(demo_db, app, engine):
    counts = {}
    for who in HOME_LIMITS:
        browser = app.test_client()
        assert login(browser, who).status_code == 302
        counts[who] = _count(browser, engine, "/")
    over = {who: (n, HOME_LIMITS[who]) for who, n in counts.items() if n > HOME_LIMITS[who]}
    assert not over, f"homes over their statement budget (ran, allowed): {over}; all: {counts}"


def test_a_deal_card_reads_its_timeline_in_one_statement_whoever_logged_it(demo_db, client, engine):
    """Who logged each activity is read with the timeline: colleagues added to it add no statement."""
    manager = find_user(demo_db, "manager")
    deal = demo_db.scalars(select(Deal).where(Deal.owner_id == manager.id).order_by(Deal.id)).first()
    assert deal is not None
    now = datetime.now(UTC)
    assert login(client, "manager").status_code == 302
    alone = _count(client, engine, f"/deals/{deal.id}")
    colleagues = demo_db.scalars(select(User).where(User.id != manager.id, User.is_active)
                                 .order_by(User.id).limit(4)).all()
    assert len(colleagues) == 4, "the demo data has colleagues"
    for n, colleague in enumerate(colleagues):
        log_activity(demo_db, kind="call", subject=f"Звонок коллеги {n}", happened_at=now, now=now,
                     user_id=colleague.id, deal=deal)
    demo_db.commit()
    page = client.get(f"/deals/{deal.id}", headers=BROWSER).get_data(as_text=True)
    assert all(c.full_name in page for c in colleagues), "the timeline names who logged each call"
    assert _count(client, engine, f"/deals/{deal.id}") == alone
