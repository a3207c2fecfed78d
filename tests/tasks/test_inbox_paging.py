"""Inbox pages are keyset-paged: walking the pages gives every task once, in the list's order.

Ties are the hard part: process and ad-hoc tasks due at the same moment, tasks with no due date
(they come last), tasks completed in the same second. A page token this server did not make is
refused in Russian (400 on the page, 422 with a JSON body in the API), never a 500.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from models.identity.users import issue_api_token
from models.tasks.adhoc import Task
from tests.conftest import login
from tests.tasks.conftest import start_callback

FAR = datetime.max.replace(tzinfo=UTC)


def _headers(session, user) -> dict:
    token = issue_api_token(session, user, "тест")
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def _tasks(app, session, clock, manager) -> None:
    """Five process tasks and twelve ad-hoc ones, four of them due with the process tasks."""
    for n in range(5):
        start_callback(app, session, clock, assignee="manager", company=f"ООО «Звонок {n}»")
    due = clock.now() + timedelta(hours=4)
    for n in range(12):
        session.add(Task(title=f"Задача {n:02d}", assignee_id=manager.id, creator_id=manager.id,
                         due_at=[None, due, due - timedelta(hours=n)][n % 3]))
    session.commit()


def _walk(client, headers, section: str, limit: int) -> list[dict]:
    rows, after = [], ""
    for _ in range(50):
        url = f"/api/v1/tasks?section={section}&limit={limit}&after={after}"
        body = client.get(url, headers=headers).get_json()
        rows += body["items"]
        if not body["next"]:
            return rows
        assert len(body["items"]) == limit
        after = body["next"]
    raise AssertionError("the pages never ended")


def test_api_pages_give_every_open_task_once_in_order(app, client, session, clock, demo_users, deployed):
    manager = demo_users["manager"]
    _tasks(app, session, clock, manager)
    headers = _headers(session, manager)

    rows = _walk(client, headers, "my", 4)

    keys = [(datetime.fromisoformat(r["due_at"]) if r["due_at"] else FAR, r["kind"], r["id"]) for r in rows]
    assert len(rows) == 17 and len(set(keys)) == 17
    assert keys == sorted(keys)
    tied = [k for k in keys if k[0] == clock.now() + timedelta(hours=4)]
    assert {k[1] for k in tied} == {"process", "adhoc"}, "the walk crosses a tie of both kinds"
    assert [k[0] for k in keys[-4:]] == [FAR] * 4, "tasks with no due date come last"
    assert rows == _walk(client, headers, "my", 200)


def test_completed_tasks_page_newest_first_through_ties(app, client, session, clock, demo_users):
    manager = demo_users["manager"]
    done_at = clock.now()
    for n in range(9):
        session.add(Task(title=f"Сделано {n}", assignee_id=manager.id, creator_id=manager.id, status="done",
                         is_open=False, completed_by_id=manager.id,
                         completed_at=done_at - timedelta(hours=n // 3)))
    session.commit()
    headers = _headers(session, manager)

    rows = _walk(client, headers, "completed", 2)

    keys = [(datetime.fromisoformat(r["completed_at"]), r["id"]) for r in rows]
    assert len(keys) == 9 and keys == sorted(keys, reverse=True)


def test_the_page_links_walk_the_list_and_a_bad_token_is_refused(app, client, session, clock, demo_users):
    manager = demo_users["manager"]
    for n in range(120):
        session.add(Task(title=f"Задача {n:03d}", assignee_id=manager.id, creator_id=manager.id,
                         due_at=clock.now() + timedelta(minutes=n // 7)))
    session.commit()
    login(client, "manager")

    seen, url = [], "/inbox/?section=my"
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += re.findall(r"Задача (\d{3})", html)
        following = re.search(r'rel="next" href="([^"]+)"', html)
        url = following.group(1).replace("&amp;", "&") if following else ""
        assert ("« В начало" in html) == (len(seen) > 50)
    assert seen == [f"{n:03d}" for n in range(120)]

    refused = client.get("/inbox/?section=my&after=20260101~adhoc~1")
    assert refused.status_code == 400
    assert "Неверная ссылка на страницу списка" in refused.get_data(as_text=True)
    api = client.get("/api/v1/tasks?after=нет", headers=_headers(session, manager))
    assert api.status_code == 422 and api.get_json()["error"]["fields"]["after"]
