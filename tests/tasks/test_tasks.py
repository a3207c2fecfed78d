"""Ad-hoc tasks on pages, deputies (acceptance 3), claim/release/reassign/delegate, history."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from engine.tables import HumanTask
from models.clients.cards import Client
from models.identity.users import Absence
from models.notifications.service import Notification
from models.platform.audit import AuditLog
from models.sales.deals import open_deal
from models.sales.funnels import ensure_default_funnels, funnel_by_code
from models.tasks.actions import TaskAssignment
from models.tasks.adhoc import Task
from tests.conftest import csrf_from, login
from tests.tasks.conftest import relogin, start_callback


def _token(client, path: str = "/inbox/") -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


def _absent(session, user, clock) -> None:
    today = clock.now().date()
    session.add(
        Absence(user_id=user.id, starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=7))
    )
    session.commit()


def test_create_task_for_a_colleague_with_link_due_date_and_reminder(client, session, demo_users, clock):
    ensure_default_funnels(session)
    owner = Client(kind="company", full_name="АО «Договорная»", owner=demo_users["manager"])
    session.add(owner)
    deal = open_deal(session, client=owner, funnel=funnel_by_code(session, "company"),
                     owner_id=demo_users["manager"].id, now=clock.now())
    session.commit()
    login(client, "senior")
    response = client.post(
        "/inbox/tasks",
        data={
            "csrf_token": _token(client),
            "title": "Подготовить договор",
            "description": "Срочно",
            "assignee_id": demo_users["manager"].id,
            "business_type": "deal",
            "business_id": str(deal.id),
            "due_at": "2026-01-13T18:00",
            "remind_at": "2026-01-13T12:00",
            "priority": "1",
        },
    )
    assert response.status_code == 302
    task = session.scalar(select(Task))
    assert (task.title, task.assignee_id, task.business_type, task.business_id, task.priority) == (
        "Подготовить договор",
        demo_users["manager"].id,
        "deal",
        deal.id,
        1,
    )
    assert task.due_at.isoformat() == "2026-01-13T15:00:00+00:00"  # typed in Moscow time
    assert task.remind_at.isoformat() == "2026-01-13T09:00:00+00:00"
    note = session.scalar(select(Notification).where(Notification.kind == "task_assigned"))
    assert note.user_id == demo_users["manager"].id

    relogin(client, "manager")
    inbox = client.get("/inbox/").get_data(as_text=True)
    assert "Подготовить договор" in inbox and "Сделка: АО «Договорная»" in inbox
    assert 'id="unread-count">1<' in inbox


def test_bad_task_form_is_refused_with_russian_messages_and_keeps_what_was_typed(client, session, demo_users):
    login(client, "manager")
    response = client.post(
        "/inbox/tasks",
        data={
            "csrf_token": _token(client),
            "title": "  ",
            "description": "Моё описание",
            "assignee_id": "",
            "due_at": "13.01.2026",
            "remind_at": "",
            "priority": "7",
            "business_type": "client",
            "business_id": "",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in (
        "Укажите, что нужно сделать",
        "Укажите исполнителя или отдел",
        "Неверная дата",
        "Выберите приоритет из списка",
        "Выберите связанную запись из подсказок",
    ):
        assert message in html
    assert "Моё описание" in html
    assert session.scalar(select(func.count(Task.id))) == 0


def test_absent_users_new_task_goes_to_the_deputy(app, client, session, clock, demo_users, deployed):
    """Acceptance 3, for ad-hoc and process tasks alike."""
    manager, deputy = demo_users["manager"], demo_users["manager2"]
    login(client, "senior")
    token = _token(client)
    _absent(session, manager, clock)
    client.post(
        "/inbox/tasks",
        data={
            "csrf_token": token,
            "title": "Позвонить в «Вектор»",
            "assignee_id": manager.id,
            "priority": "2",
        },
    )
    task = session.scalar(select(Task))
    assert (task.assignee_id, task.original_assignee_id) == (deputy.id, manager.id)
    process_task = start_callback(app, session, clock, assignee="manager")
    assert (process_task.assignee_id, process_task.original_assignee_id) == (deputy.id, manager.id)

    relogin(client, "manager2")
    inbox = client.get("/inbox/").get_data(as_text=True)
    assert inbox.count("вместо Иван Сергеевич Петров") == 2


def test_absent_users_open_tasks_appear_in_the_deputys_inbox_marked(
    app, client, session, clock, demo_users, deployed
):
    manager = demo_users["manager"]
    earlier = start_callback(app, session, clock, assignee="manager")
    assert earlier.assignee_id == manager.id
    _absent(session, manager, clock)
    login(client, "manager2")
    inbox = client.get("/inbox/").get_data(as_text=True)
    assert "Вы замещаете: Иван Сергеевич Петров" in inbox
    assert "за Иван Сергеевич Петров (отсутствует)" in inbox
    assert client.get(f"/inbox/process/{earlier.id}").status_code == 200
    relogin(client, "manager3")  # not the deputy
    assert 'class="inbox-row"' not in client.get("/inbox/").get_data(as_text=True)


def test_claim_from_queue_only_once_release_and_reassign_with_kept_reason(
    app, client, session, clock, demo_users, deployed
):
    queued = start_callback(app, session, clock, assignee=None)
    assert queued.assignee_id is None and queued.candidate_role == "manager"
    login(client, "manager")
    assert "Перезвонить клиенту" in client.get("/inbox/?section=queue").get_data(as_text=True)
    token = _token(client)
    assert client.post(f"/inbox/process/{queued.id}/claim", data={"csrf_token": token}).status_code == 302
    relogin(client, "manager3")
    late = client.post(f"/inbox/process/{queued.id}/claim", data={"csrf_token": _token(client)})
    assert late.status_code == 409 and "Задачу уже взял другой сотрудник" in late.get_data(as_text=True)

    relogin(client, "manager")
    token = _token(client)
    refused = client.post(
        f"/inbox/process/{queued.id}/reassign",
        data={
            "csrf_token": token,
            "assignee_id": demo_users["manager3"].id,
            "reason": "",
            "mode": "reassign",
        },
    )
    assert refused.status_code == 422 and "Укажите причину переназначения" in refused.get_data(as_text=True)
    session.expire_all()
    assert session.get(HumanTask, queued.id).assignee_id == demo_users["manager"].id
    moved = client.post(
        f"/inbox/process/{queued.id}/reassign",
        data={
            "csrf_token": token,
            "assignee_id": demo_users["manager3"].id,
            "reason": "Клиент его",
            "mode": "reassign",
        },
    )
    assert moved.status_code == 302
    session.expire_all()
    assert session.get(HumanTask, queued.id).assignee_id == demo_users["manager3"].id
    log = session.scalars(select(TaskAssignment).order_by(TaskAssignment.id)).all()
    assert [(h.action, h.reason) for h in log] == [("claim", None), ("reassign", "Клиент его")]
    relogin(client, "manager3")
    page = client.get(f"/inbox/process/{queued.id}").get_data(as_text=True)
    assert "переназначил(а)" in page and "Клиент его" in page
    assert (
        client.post(f"/inbox/process/{queued.id}/release", data={"csrf_token": _token(client)}).status_code
        == 302
    )
    session.expire_all()
    assert session.get(HumanTask, queued.id).assignee_id is None


def test_delegate_keeps_the_delegator_and_status_changes_are_audited(client, session, clock, demo_users):
    login(client, "manager")
    token = _token(client)
    client.post(
        "/inbox/tasks",
        data={
            "csrf_token": token,
            "title": "Собрать документы",
            "assignee_id": demo_users["manager"].id,
            "priority": "2",
        },
    )
    task = session.scalar(select(Task))
    client.post(
        f"/inbox/adhoc/{task.id}/reassign",
        data={"csrf_token": token, "assignee_id": demo_users["manager3"].id, "mode": "delegate"},
    )
    session.expire_all()
    task = session.get(Task, task.id)
    assert (task.assignee_id, task.original_assignee_id) == (
        demo_users["manager3"].id,
        demo_users["manager"].id,
    )
    relogin(client, "manager3")
    token = _token(client)
    assert (
        client.post(
            f"/inbox/tasks/{task.id}/status", data={"csrf_token": token, "status": "in_progress"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/inbox/tasks/{task.id}/status", data={"csrf_token": token, "status": "done"}
        ).status_code
        == 302
    )
    session.expire_all()
    task = session.get(Task, task.id)
    assert (task.status, task.is_open, task.completed_by_id) == ("done", False, demo_users["manager3"].id)
    fields = set(
        session.scalars(
            select(AuditLog.field).where(AuditLog.entity_type == "task", AuditLog.action == "update")
        )
    )
    assert {"assignee_id", "status"} <= fields
    page = client.get(f"/inbox/tasks/{task.id}").get_data(as_text=True)
    assert "История изменений" in page and "in_progress → done" in page
    assert "Собрать документы" in client.get("/inbox/?section=completed").get_data(as_text=True)
    again = client.post(f"/inbox/tasks/{task.id}/status", data={"csrf_token": token, "status": "done"})
    assert again.status_code == 409


def test_department_queue_task_can_be_claimed_by_a_member_only(client, session, clock, demo_users):
    login(client, "senior")
    client.post(
        "/inbox/tasks",
        data={
            "csrf_token": _token(client),
            "title": "Разобрать почту",
            "department": "deal_support",
            "priority": "3",
            "due_at": (date(2026, 1, 12)).isoformat(),
        },
    )
    task = session.scalar(select(Task))
    assert (task.assignee_id, task.department) == (None, "deal_support")
    relogin(client, "manager")
    assert (
        client.post(f"/inbox/adhoc/{task.id}/claim", data={"csrf_token": _token(client)}).status_code == 403
    )
    relogin(client, "backoffice")
    today = client.get("/inbox/?section=queue").get_data(as_text=True)
    assert "Разобрать почту" in today
    assert (
        client.post(f"/inbox/adhoc/{task.id}/claim", data={"csrf_token": _token(client)}).status_code == 302
    )
    assert "Разобрать почту" in client.get("/inbox/?section=today").get_data(as_text=True)


def test_the_badge_counts_my_open_tasks_and_those_of_whom_i_stand_in_for(app, session, clock, demo_users,
                                                                      deployed):
    """The navigation badge (``models.tasks.pages.navigation_counts``): my open process and ad-hoc
    tasks, and an absent colleague's while I am their deputy and they are away — never anyone
    else's, never a closed one."""
    from models.tasks.pages import navigation_counts

    me, away, other = demo_users["manager"], demo_users["manager2"], demo_users["manager3"]
    for user in (me, away, away, other):
        start_callback(app, session, clock, assignee=user.login)
    session.add_all([Task(title="Моя", assignee_id=me.id),
                     Task(title="Закрытая", assignee_id=me.id, is_open=False),
                     Task(title="За коллегу", assignee_id=away.id),
                     Task(title="Чужая", assignee_id=other.id)])
    session.commit()

    def badge() -> int:
        return navigation_counts(session, me, clock.now(), "Europe/Moscow")["tasks"]

    assert badge() == 2
    away.deputy_id = me.id
    session.commit()
    assert badge() == 2  # a deputy, but the colleague is at work
    _absent(session, away, clock)
    assert badge() == 5
    assert navigation_counts(session, other, clock.now(), "Europe/Moscow")["tasks"] == 2
    clock.advance(timedelta(days=8))  # the absence is over
    assert badge() == 2
