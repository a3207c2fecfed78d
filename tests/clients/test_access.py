"""Acceptance 4: a manager cannot read another manager's client (page or API); a senior manager
of the same department can. Every check is made on the server by ``models.platform.permissions``."""

import pytest

from models.clients.access import assignable_owners, can_assign_owner
from models.identity.users import ensure_departments, issue_api_token
from models.platform.permissions import Permission, has_permission
from tests.clients.conftest import company_values, make_client
from tests.conftest import csrf_from, login


@pytest.fixture
def foreign(session, demo_users):
    """A client of manager2, with a contact."""
    return make_client(session, demo_users["manager2"], "Чужая", contacts=("Тайный Контакт",))


def _bearer(session, user):
    token = issue_api_token(session, user, "tests")
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_manager_cannot_read_another_managers_client(client, session, demo_users, foreign):
    login(client, "manager")
    for path in (f"/clients/{foreign.id}", f"/clients/{foreign.id}/edit",
                 f"/clients/{foreign.id}/contacts/new", f"/clients/{foreign.id}/merge/{foreign.id}"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "Тайный Контакт" not in response.get_data(as_text=True)
    assert "Чужая" not in client.get("/clients/?q=чужая").get_data(as_text=True)
    assert "Чужая" not in client.get("/clients/export.csv").get_data().decode("utf-8-sig")
    token = csrf_from(client.get("/clients/").get_data(as_text=True))
    assert client.post(f"/clients/{foreign.id}/edit", data={**company_values(), "csrf_token": token}
                       ).status_code == 403


def test_manager_cannot_read_it_through_the_api(client, session, demo_users, foreign):
    headers = _bearer(session, demo_users["manager"])
    response = client.get(f"/api/v1/clients/{foreign.id}", headers=headers)
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden" and "Тайный" not in response.get_data(as_text=True)
    listed = client.get("/api/v1/clients?q=чужая", headers=headers).json
    assert listed["items"] == []
    patched = client.patch(f"/api/v1/clients/{foreign.id}", json={"territory": "Тула"}, headers=headers)
    assert patched.status_code == 403
    assert client.get("/api/v1/clients/999999", headers=headers).status_code == 404


def test_senior_manager_of_the_same_department_can(client, session, demo_users, foreign):
    login(client, "senior")
    page = client.get(f"/clients/{foreign.id}")
    assert page.status_code == 200 and "Тайный Контакт" in page.get_data(as_text=True)
    headers = _bearer(session, demo_users["senior"])
    api = client.get(f"/api/v1/clients/{foreign.id}", headers=headers)
    assert api.status_code == 200 and api.json["contacts"][0]["full_name"] == "Тайный Контакт"


def test_senior_manager_of_another_department_cannot(client, session, demo_users, foreign):
    senior = demo_users["senior"]
    senior.department = ensure_departments(session)["legal"]
    session.commit()
    login(client, "senior")
    assert client.get(f"/clients/{foreign.id}").status_code == 403
    assert client.get(f"/api/v1/clients/{foreign.id}", headers=_bearer(session, senior)).status_code == 403


def test_back_office_edits_all_readers_only_read(client, session, demo_users, foreign):
    login(client, "backoffice")
    assert client.get(f"/clients/{foreign.id}/edit").status_code == 200
    lawyer = client.application.test_client()
    login(lawyer, "lawyer")
    assert lawyer.get(f"/clients/{foreign.id}").status_code == 200
    assert lawyer.get(f"/clients/{foreign.id}/edit").status_code == 403
    assert lawyer.get("/clients/new").status_code == 403
    assert lawyer.get("/clients/import").status_code == 403
    headers = _bearer(session, demo_users["analyst"])
    machine = client.application.test_client()  # no session cookie: the token decides
    assert machine.get(f"/api/v1/clients/{foreign.id}", headers=headers).status_code == 200
    assert machine.patch(f"/api/v1/clients/{foreign.id}", json={"territory": "Тула"},
                         headers=headers).status_code == 403


def test_who_may_assign_whom(demo_users):
    manager, manager2, senior = demo_users["manager"], demo_users["manager2"], demo_users["senior"]
    assert can_assign_owner(manager, manager) and not can_assign_owner(manager, manager2)
    assert can_assign_owner(senior, manager2) and not can_assign_owner(senior, demo_users["lawyer"])
    assert can_assign_owner(demo_users["backoffice"], demo_users["lawyer"])
    assert not can_assign_owner(demo_users["analyst"], demo_users["analyst"])
    assert has_permission(demo_users["backoffice"], Permission.IMPORT_CLIENTS)
    assert not has_permission(manager, Permission.IMPORT_CLIENTS)


def test_the_owner_choices_follow_the_assignment_rule_for_every_role(session, demo_users):
    """The select box's list (the user's side read once) is exactly who ``can_assign_owner`` allows."""
    demo_users["lawyer"].is_active = False  # a dismissed employee is offered to nobody
    people = sorted(demo_users.values(), key=lambda u: u.id)
    for user in people:
        expected = [u.login for u in people if can_assign_owner(user, u)]
        assert [u.login for u in assignable_owners(user, people)] == expected, user.login
    assert [u.login for u in assignable_owners(demo_users["senior"], people)] != [u.login for u in people]
    senior = demo_users["senior"]
    assert {u.login for u in assignable_owners(senior, people)} == {
        u.login for u in people if u.is_active and u.department_id == senior.department_id}
    assert [u.login for u in assignable_owners(demo_users["manager"], people)] == ["manager"]
    assert "lawyer" not in {u.login for u in assignable_owners(demo_users["backoffice"], people)}
    assert assignable_owners(demo_users["analyst"], people) == []


def test_manager_cannot_give_a_client_to_someone_else(client, session, demo_users):
    login(client, "manager")
    token = csrf_from(client.get("/clients/new").get_data(as_text=True))
    response = client.post("/clients/new", data={**company_values("Подарок"), "csrf_token": token,
                                                 "owner_id": str(demo_users["manager2"].id)})
    assert response.status_code == 422
    assert "Вы не можете назначить этого ответственного" in response.get_data(as_text=True)


def test_anonymous_api_call_gets_401(client, foreign):
    response = client.get(f"/api/v1/clients/{foreign.id}")
    assert response.status_code == 401 and response.json["error"]["code"] == "unauthorized"
    assert client.get("/clients/").status_code == 302


def test_duplicate_hints_never_reveal_another_managers_card(client, session, demo_users):
    other = make_client(session, demo_users["manager2"], "Скрытая", phone="+74951112299", inn=None,
                        kpp=None, ogrn=None, kind="person", full_name="Скрытая Фирма", short_name=None)
    login(client, "manager")
    hints = client.get("/clients/duplicates/check", query_string={
        "full_name": "Новая", "phones": "8 495 111 22 99"}).json["duplicates"]
    assert hints == [{"id": None, "visible": False, "name": "клиент другого менеджера", "inn": None,
                      "owner": "Мария Александровна Смирнова", "score": 100, "editable": False,
                      "reasons": ["Совпадает телефон +7 (495) 111-22-99"]}]
    assert "Скрытая" not in str(hints) and str(other.id) not in str(hints[0]["id"])
