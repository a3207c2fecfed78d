"""Acceptance 6: feedback left on a task reaches the process owner's inbox and is counted on the node."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from models.notifications.service import Notification
from models.studio.tables import ProcessOwner, StepFeedback
from tests.browser import log_in, log_out
from tests.conftest import csrf_from


def _lead_task(world):
    lead = world.lead(company="ООО «Отзыв»", phone="+79167778899", territory="Москва", industry="Логистика")
    [task] = world.open_tasks(lead)
    manager = next(u for u in world.users.values() if u.id == task.assignee_id)
    return task, manager


def _owner(world, login: str) -> None:
    world.session.add(
        ProcessOwner(process_key="lead_handling", user_id=world.users[login].id, updated_at=world.clock.now())
    )
    world.session.commit()


def test_feedback_reaches_the_owner_and_is_counted_on_the_node(world, as_user, session):
    _owner(world, "analyst")
    task, manager = _lead_task(world)
    client = as_user(manager.login)
    page = client.get(f"/inbox/process/{task.id}").get_data(as_text=True)
    assert "Отзыв о шаге" in page and 'id="feedback-form"' in page
    token = csrf_from(page)
    answer = client.post(
        f"/studio/feedback/{task.id}",
        data={"csrf_token": token, "kind": "unclear", "text": "Непонятно, что писать в причине"},
    )
    assert answer.status_code == 302
    client.post(f"/studio/feedback/{task.id}", data={"csrf_token": token, "kind": "extra_step", "text": ""})
    refused = client.post(
        f"/studio/feedback/{task.id}", data={"csrf_token": token, "kind": "other", "text": " "}
    )
    assert refused.status_code == 422
    assert "Напишите, что не так" in refused.get_data(as_text=True)

    session.expire_all()
    stored = session.scalars(select(StepFeedback).order_by(StepFeedback.id)).all()
    assert [(f.element_id, f.kind, f.version, f.user_id) for f in stored] == [
        ("contact", "unclear", 1, manager.id),
        ("contact", "extra_step", 1, manager.id),
    ]
    notices = session.scalars(select(Notification).where(Notification.kind == "process_feedback")).all()
    assert [n.user_id for n in notices] == [world.users["analyst"].id] * 2
    assert notices[0].title == "Отзыв о шаге «Связаться с клиентом»: непонятно"
    assert "Непонятно, что писать в причине" in notices[0].body

    analyst = as_user("analyst")
    inbox = analyst.get("/inbox/notifications").get_data(as_text=True)
    assert "Отзыв о шаге «Связаться с клиентом»: непонятно" in inbox
    view = analyst.get("/studio/api/processes/lead_handling/analytics").get_json()
    [badge] = [b for b in view["badges"] if b["kind"] == "feedback"]
    assert (badge["element"], badge["text"]) == ("contact", "отзывы: 2")
    assert badge["title"] == "Непонятно: 1, Лишний шаг: 1"
    process_page = analyst.get("/studio/processes/lead_handling").get_data(as_text=True)
    assert "Непонятно, что писать в причине" in process_page


def test_without_an_owner_the_last_deployer_then_the_admins_hear_it(world, as_user, session):
    task, manager = _lead_task(world)
    client = as_user(manager.login)
    token = csrf_from(client.get(f"/inbox/process/{task.id}").get_data(as_text=True))
    client.post(f"/studio/feedback/{task.id}", data={"csrf_token": token, "kind": "extra_step"})
    session.expire_all()
    [notice] = session.scalars(select(Notification).where(Notification.kind == "process_feedback")).all()
    assert notice.user_id == world.users["admin"].id  # deployed by nobody (the CLI): the admins


def test_a_task_the_user_may_not_see_takes_no_feedback(world, as_user, session):
    task, _manager = _lead_task(world)
    other = as_user("underwriter")
    token = csrf_from(other.get("/inbox/").get_data(as_text=True))
    answer = other.post(f"/studio/feedback/{task.id}", data={"csrf_token": token, "kind": "unclear"})
    assert answer.status_code in (403, 404)
    assert session.scalar(select(StepFeedback)) is None


@pytest.mark.browser
def test_feedback_from_the_task_page_in_the_browser(world, page, shots, session):
    _owner(world, "analyst")
    task, manager = _lead_task(world)
    log_in(page, manager.login)
    page.goto(f"/inbox/process/{task.id}")
    page.locator("#fb-extra").check()
    page.locator("#fb-text").fill("Звоним клиенту второй раз по тому же вопросу")
    page.screenshot(path=str(shots / "task-feedback.png"), full_page=True)
    page.locator("#fb-send").click()
    expect(page.locator(".alert-success")).to_contain_text("Отзыв передан владельцу процесса")
    log_out(page)
    log_in(page, "analyst")
    expect(page.locator("#unread-count")).to_have_text("1")
    page.goto("/studio/processes/lead_handling/analytics")
    expect(page.locator('.studio-badge-feedback[data-element="contact"]')).to_have_text("отзывы: 1")
    assert page.js_errors == []
