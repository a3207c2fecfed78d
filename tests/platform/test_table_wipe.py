"""The wipe between tests (``tests.conftest._empty_all_tables``) leaves a database like a new one:
every table empty — a department whose head is a user and users in the department included — and
ids starting again at 1, also where a rolled-back insert moved a sequence of an empty table."""
from __future__ import annotations

from sqlalchemy import func, select

from models.identity.users import Department, User
from models.platform.db import db
from tests.conftest import _empty_all_tables


def _user(login: str, department: Department | None = None) -> User:
    return User(login=login, full_name=login, password_hash="x", role="manager",
                department=department)


def test_the_wipe_empties_the_tables_and_ids_start_again(app, session):
    department = Department(code="sales", name="Продажи")
    head = _user("head", department)
    session.add_all([department, head, _user("one", department), _user("two", department)])
    session.flush()
    department.head_id = head.id
    session.commit()
    session.add(Department(code="lost", name="Не сохранится"))
    session.flush()
    session.rollback()  # the department sequence moved, its table holds only «sales»

    with app.app_context():
        _empty_all_tables()
        db.session.remove()

    assert session.scalar(select(func.count()).select_from(User)) == 0
    assert session.scalar(select(func.count()).select_from(Department)) == 0
    again = Department(code="again", name="Снова")
    session.add_all([again, _user("first", again)])
    session.commit()
    assert again.id == 1
    assert session.scalar(select(User.id).where(User.login == "first")) == 1
