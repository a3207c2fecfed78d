"""``complete_process_task``: the one service behind the inbox page, the lead card and the API."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.errors import ConflictError, FormValidationError, NotFound
from engine.tables import HumanTask, ProcessInstance
from models.identity.users import User
from models.platform.db import db
from models.platform.permissions import AccessDenied
from models.platform.unit_of_work import unit_of_work
from models.tasks.process_tasks import complete_process_task, next_step_message
from tests.tasks.conftest import open_task, start_callback
from tests.tasks.data_review import start_review
from web.engine_support import process_engine


def _complete(app, login: str, task_id: int, data: dict, **options) -> dict:
    """Complete as ``login`` in one unit of work, like a request; what the completion said."""
    with app.app_context(), unit_of_work(db.session):
        user = db.session.scalar(select(User).where(User.login == login))
        done = complete_process_task(db.session, process_engine(), user, task_id, data, **options)
        return {"message": done.message, "next": [(t.title, t.candidate_role) for t in done.upcoming],
                "mine": done.mine.id if done.mine else None, "status": done.instance.status}


def test_completing_says_what_happens_next(app, session, clock, demo_users, deployed):
    task = start_callback(app, session, clock, assignee="manager")
    done = _complete(app, "manager", task.id, {"outcome": "reached", "call_date": "2026-01-12",
                                               "needs_offer": True, "premium": "150000.50"})
    assert done == {
        "message": "Задача выполнена. Следующий шаг: «Подготовить предложение» — "
                   "в очередь роли «Андеррайтер».",
        "next": [("Подготовить предложение", "underwriter")], "mine": None, "status": "running"}
    session.expire_all()
    assert session.get(HumanTask, task.id).completed_data["premium"] == "150000.50"

    later = start_callback(app, session, clock, assignee="manager")
    assert _complete(app, "manager", later.id, {"outcome": "no_answer", "call_date": "2026-01-12"})[
        "message"] == "Задача выполнена. Процесс продолжится автоматически."  # its timers still wait


def test_the_last_step_says_the_process_is_over(app, session, demo_users, deployed):
    review = start_review(app, session, demo_users)
    done = _complete(app, "backoffice", review.id, {"resolution": "fixed"})
    assert (done["message"], done["next"], done["status"]) == (
        "Задача выполнена. Процесс завершён.", [], "completed")


def test_someone_else_may_not_complete_and_nothing_changes(app, session, clock, demo_users, deployed):
    task = start_callback(app, session, clock, assignee="manager")
    with pytest.raises(AccessDenied):
        _complete(app, "manager3", task.id, {"outcome": "reached", "call_date": "2026-01-12"})
    with pytest.raises(NotFound):
        _complete(app, "manager", task.id + 1000, {})
    assert open_task(session, task.instance_id).id == task.id


def test_conversion_errors_are_reported_with_the_schema_errors_of_the_other_fields(
    app, session, clock, demo_users, deployed
):
    task = start_callback(app, session, clock, assignee="manager")
    with pytest.raises(FormValidationError) as refused:
        _complete(app, "manager", task.id, {"call_date": "завтра"},
                  field_errors={"employees": ["Введите целое число"]})
    assert refused.value.errors == {
        "outcome": ["Обязательное поле"],
        "call_date": ["Неверный формат: ожидается дата (ГГГГ-ММ-ДД)"],
        "employees": ["Введите целое число"],
    }
    data = {"outcome": "no_answer", "call_date": "2026-01-12"}
    _complete(app, "manager", task.id, data)
    with pytest.raises(ConflictError, match="Задача уже выполнена или отменена"):
        _complete(app, "manager", task.id, data)


def test_the_message_names_who_takes_the_next_step(app, session, demo_users):
    manager, senior = demo_users["manager"], demo_users["senior"]
    steps = [HumanTask(title="Позвонить", assignee_id=manager.id),
             HumanTask(title="Согласовать", assignee_id=senior.id),
             HumanTask(title="Оформить", candidate_department="deal_support")]
    message = next_step_message(session, manager, ProcessInstance(status="running"), steps)
    assert message == ("Задача выполнена. Следующий шаг: «Позвонить» — вам; "
                       f"«Согласовать» — {senior.full_name}; "
                       "«Оформить» — в очередь отдела «Сопровождение сделок».")
