"""Defect 2: a deputy has the employee's task rights only during a recorded absence."""

from __future__ import annotations

from datetime import timedelta

from models.identity.users import Absence
from tests.hardening.conftest import bearer, start_callback


def test_a_named_deputy_gets_nothing_while_the_employee_is_present(
        app, client, session, clock, demo_users, deployed, tokens):
    manager, deputy = demo_users["manager"], demo_users["manager2"]
    assert manager.deputy_id == deputy.id
    task = start_callback(app, session, clock, assignee="manager")
    as_deputy = bearer(tokens["manager2"])
    base = f"/api/v1/tasks/process/{task.id}"
    assert client.get(base, headers=as_deputy).status_code in (403, 404)
    commented = client.post(f"{base}/comments", json={"body": "Я тут"}, headers=as_deputy)
    assert commented.status_code in (403, 404)
    assert client.post(f"{base}/reassign", json={"assignee_id": deputy.id, "reason": "заберу"},
                       headers=as_deputy).status_code in (403, 404)
    assert client.post(f"{base}/complete", json={"data": {}}, headers=as_deputy).status_code in (403, 404)

    today = clock.now().date()
    session.add(Absence(user_id=manager.id, starts_on=today, ends_on=today + timedelta(days=3)))
    session.commit()
    assert client.get(base, headers=as_deputy).status_code == 200
    assert client.post(f"{base}/comments", json={"body": "Замещаю"}, headers=as_deputy).status_code == 201

    clock.advance(timedelta(days=5))  # the absence is over: the rights end with it
    assert client.get(base, headers=as_deputy).status_code in (403, 404)
