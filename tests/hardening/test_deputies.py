"""Defect 2: a deputy has the employee's task rights only during a recorded absence."""

from __future__ import annotations

from datetime import timedelta

from models.identity.users import Absence, User
from tests.conftest import csrf_from, login
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


def test_a_standing_delegation_gives_the_deputy_rights_while_the_employee_is_present(
        app, client, session, clock, demo_users, deployed, tokens):
    """«Постоянное замещение»: set by an admin on the card; rights while the employee is at work,
    ending with the period; refused without a deputy or with the end before the start."""
    manager, deputy = demo_users["manager"], demo_users["manager2"]
    task = start_callback(app, session, clock, assignee="manager")
    as_deputy = bearer(tokens["manager2"])
    base = f"/api/v1/tasks/process/{task.id}"
    assert client.get(base, headers=as_deputy).status_code in (403, 404)

    today = clock.now().date()
    admin = app.test_client()  # its own cookies: the API calls above and below go without them
    login(admin, "admin")
    token = csrf_from(admin.get(f"/admin/users/{manager.id}").get_data(as_text=True))
    form = {"csrf_token": token, "full_name": manager.full_name, "email": manager.email or "",
            "role": manager.role, "department": manager.department.code,
            "manager_id": str(manager.manager_id or ""), "deputy_id": str(deputy.id), "is_active": "1"}
    refusals = [
        ({"standing_from": today.isoformat(), "deputy_id": ""}, "выберите заместителя"),
        ({"standing_from": today.isoformat(), "standing_until": (today - timedelta(days=1)).isoformat()},
         "Окончание постоянного замещения раньше начала"),
        ({"standing_until": today.isoformat()}, "Укажите начало постоянного замещения"),
        ({"standing_from": "завтра"}, "Не удалось прочитать даты постоянного замещения"),
    ]
    for changes, message in refusals:
        answer = admin.post(f"/admin/users/{manager.id}", data={**form, **changes})
        assert answer.status_code == 303, message
        assert message in admin.get(answer.headers["Location"]).get_data(as_text=True)
        assert client.get(base, headers=as_deputy).status_code in (403, 404), message

    until = today + timedelta(days=10)
    saved = admin.post(f"/admin/users/{manager.id}", data={
        **form, "standing_from": today.isoformat(), "standing_until": until.isoformat()})
    assert saved.status_code == 302
    assert until.isoformat() in admin.get(f"/admin/users/{manager.id}").get_data(as_text=True)
    session.expire_all()
    assert not session.get(User, manager.id).is_absent_on(today)  # present, yet the deputy stands in
    assert client.get(base, headers=as_deputy).status_code == 200
    assert client.post(f"{base}/comments", json={"body": "Постоянно замещаю"},
                       headers=as_deputy).status_code == 201
    assert client.get(base, headers=bearer(tokens["manager3"])).status_code in (403, 404)  # not the deputy

    clock.advance(timedelta(days=11))  # the period is over: the rights end with it
    assert client.get(base, headers=as_deputy).status_code in (403, 404)
