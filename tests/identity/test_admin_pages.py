"""The employee admin pages through the real HTTP layer: each form calls one identity service.

A refused employee form answers with a redirect, which the request's unit of work commits,
so the service checks every rule before it changes anything: these tests make sure a
refusal leaves the employee exactly as they were.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from models.identity.users import Absence, User, find_user
from tests.conftest import csrf_from, login


def _admin(client) -> str:
    """Log the admin in; the CSRF token of their pages."""
    assert login(client, "admin").status_code == 302
    return csrf_from(client.get("/admin/users").get_data(as_text=True))


def _form(user: User, **changes) -> dict:
    """The employee form as the page submits it, with ``changes``."""
    form = {"full_name": user.full_name, "email": user.email or "", "role": user.role,
            "department": user.department.code, "manager_id": str(user.manager_id or ""),
            "deputy_id": str(user.deputy_id or ""), "is_active": "1", "password": ""}
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def test_employee_form_saves_role_department_people_and_password(client, session, demo_users):
    token = _admin(client)
    lawyer, head, senior = demo_users["lawyer"], demo_users["head"], demo_users["senior"]

    response = client.post(f"/admin/users/{lawyer.id}", data=_form(
        lawyer, csrf_token=token, role="underwriter", department="underwriting",
        email=" Lawyer@Example.RU ", manager_id=str(senior.id), deputy_id=str(head.id),
        password="new-secret", is_active=None))

    assert response.status_code == 302
    assert "Изменения сохранены" in client.get(response.headers["Location"]).get_data(as_text=True)
    session.expire_all()
    saved = session.get(User, lawyer.id)
    assert (saved.role, saved.department.code, saved.email) == ("underwriter", "underwriting",
                                                                "lawyer@example.ru")
    assert (saved.manager_id, saved.deputy_id, saved.is_active) == (senior.id, head.id, False)
    assert saved.check_password("new-secret")


def test_a_refused_employee_form_changes_nothing(client, session, demo_users):
    token = _admin(client)
    admin, lawyer = demo_users["admin"], demo_users["lawyer"]

    def state(user: User) -> tuple:
        return (user.role, user.full_name, user.email, user.department_id, user.manager_id,
                user.deputy_id, user.is_active, user.password_hash)

    before = {user.id: state(user) for user in (admin, lawyer)}
    cases = [
        (lawyer, _form(lawyer, role="head", full_name="Другое имя", manager_id=str(lawyer.id)),
         "не может быть руководителем самому себе"),
        (lawyer, _form(lawyer, role="head", department="nowhere"), "Неизвестный отдел «nowhere»"),
        (lawyer, _form(lawyer, role="boss", full_name="Другое имя"), "Выберите роль из списка"),
        (admin, _form(admin, role="analyst", email="new@example.ru", password="other", is_active=None),
         "Нельзя заблокировать самого себя"),
    ]
    for user, form, message in cases:
        response = client.post(f"/admin/users/{user.id}", data={**form, "csrf_token": token})
        assert response.status_code == 303, message
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert message in page

    session.expire_all()
    assert {user_id: state(session.get(User, user_id)) for user_id in before} == before


def test_new_employee_is_created_and_a_duplicate_comes_back_with_the_form(client, session, demo_users):
    token = _admin(client)
    form = {"csrf_token": token, "login": "Sidorov", "full_name": "Сидоров Пётр", "email": "",
            "role": "manager", "department": "sales", "password": "secret1"}

    created = client.post("/admin/users", data=form)
    user = find_user(session, "sidorov")
    assert created.status_code == 302 and created.headers["Location"] == f"/admin/users/{user.id}"
    assert "Сотрудник «sidorov» создан" in client.get(created.headers["Location"]).get_data(as_text=True)

    count = session.scalar(select(func.count(User.id)))
    again = client.post("/admin/users", data={**form, "full_name": "Другой Сидоров"})
    html = again.get_data(as_text=True)
    assert again.status_code == 422
    assert "Пользователь «sidorov» уже существует" in html and 'value="Другой Сидоров"' in html
    assert session.scalar(select(func.count(User.id))) == count


def test_absences_are_added_refused_and_deleted(client, session, demo_users):
    token = _admin(client)
    manager, lawyer = demo_users["manager"], demo_users["lawyer"]
    path = f"/admin/users/{manager.id}/absences"

    added = client.post(path, data={"csrf_token": token, "starts_on": "2026-07-01",
                                    "ends_on": "2026-07-14", "reason": "Отпуск"})
    assert added.status_code == 302
    assert "Отсутствие добавлено" in client.get(added.headers["Location"]).get_data(as_text=True)
    for starts, ends, message in (("01.07.2026", "2026-07-14", "Укажите даты в формате ГГГГ-ММ-ДД"),
                                  ("2026-08-10", "2026-08-01", "Дата окончания отсутствия раньше")):
        refused = client.post(path, data={"csrf_token": token, "starts_on": starts, "ends_on": ends})
        assert refused.status_code == 302
        assert message in client.get(refused.headers["Location"]).get_data(as_text=True)
    [absence] = session.scalars(select(Absence).where(Absence.user_id == manager.id)).all()
    assert (absence.starts_on, absence.ends_on) == (date(2026, 7, 1), date(2026, 7, 14))

    foreign = client.post(f"/admin/users/{lawyer.id}/absences/{absence.id}/delete",
                          data={"csrf_token": token})
    assert foreign.status_code == 404 and "Отсутствие не найдено" in foreign.get_data(as_text=True)
    deleted = client.post(f"/admin/users/{manager.id}/absences/{absence.id}/delete",
                          data={"csrf_token": token})
    assert deleted.status_code == 302
    session.expire_all()
    assert session.scalars(select(Absence).where(Absence.user_id == manager.id)).all() == []


def test_unknown_employee_is_a_russian_404(client, demo_users):
    token = _admin(client)
    for response in (client.get("/admin/users/999999"),
                     client.post("/admin/users/999999", data={"csrf_token": token, "role": "manager"}),
                     client.post("/admin/users/999999/absences",
                                 data={"csrf_token": token, "starts_on": "2026-01-01",
                                       "ends_on": "2026-01-02"})):
        assert response.status_code == 404
        assert "Сотрудник не найден" in response.get_data(as_text=True)
