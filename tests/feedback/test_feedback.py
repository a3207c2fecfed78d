"""Client feedback end to end: a won deal (or a renewal, or a closed request) → a letter through the
outbox and the real SMTP → the public page → the answer on the timeline, a low score's one task, NPS."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from models.clients.cards import Contact
from models.collaboration.timeline import timeline
from models.feedback.surveys import FeedbackSurvey, SurveyStatus
from models.platform.outbox import deliver_due
from models.sales.deals import move_stage, open_deal
from models.sales.funnels import funnel_by_code
from models.tasks.adhoc import Task
from tests.conftest import csrf_from, login
from web.scheduler import job_context, registered_jobs

WON = {"contract_number": "Д-2026/17", "contract_start": "2026-12-01", "contract_end": "2027-11-30",
       "contract_premium": "250000"}
LINK = re.compile(r"https://crm\.example\.ru(/feedback/s/\S+)")


def _won_deal(world, funnel="company", owner="manager"):
    client = world.client(owner=owner)
    world.session.add(Contact(client_id=client.id, full_name="Анна Петровна Лебедева", is_decision_maker=True,
                              email="anna@romashka.example"))
    deal = open_deal(world.session, client=client, funnel=funnel_by_code(world.session, funnel),
                     owner_id=client.owner_id, now=world.clock.now(), premium=Decimal("250000"),
                     product_lines=["КАСКО"])
    world.session.flush()
    move_stage(world.session, deal, "won", user_id=client.owner_id, now=world.clock.now(), data=WON)
    world.session.commit()
    return client, deal


def _mail_and_link(app, world, smtp_server) -> str:
    context = job_context(app)
    assert registered_jobs(app)["feedback_surveys"](context) == 1
    deliver_due(context.session_factory, world.clock, context.settings)
    [letter] = [m for m in smtp_server.collector.messages if m["To"] == "anna@romashka.example"]
    assert letter["Subject"] == "Оцените нашу работу — два вопроса"
    return LINK.search(letter.get_body(("plain",)).get_content()).group(1)


def _answer(client, path, score, comment=""):
    token = csrf_from(client.get(path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, "score": str(score), "comment": comment})


def test_a_won_deal_asks_the_contact_and_the_answer_lands_on_the_timeline(world, app, smtp_server):
    client, deal = _won_deal(world)
    path = _mail_and_link(app, world, smtp_server)
    browser = app.test_client()
    page = browser.get(path)
    assert page.status_code == 200 and "порекомендуете" in page.get_data(as_text=True)
    bad = browser.post(path, data={"csrf_token": csrf_from(page.get_data(as_text=True)), "score": "11"})
    assert bad.status_code == 422 and "от 0 до 10" in bad.get_data(as_text=True)
    done = _answer(browser, path, 10, "Быстро и понятно")
    assert done.status_code == 200 and "Спасибо" in done.get_data(as_text=True)
    world.session.expire_all()
    survey = world.session.scalar(select(FeedbackSurvey).where(FeedbackSurvey.deal_id == deal.id))
    assert (survey.process, survey.product, survey.score, survey.status) == ("sale", "КАСКО", 10,
                                                                              SurveyStatus.ANSWERED)
    assert survey.task_id is None
    feed = timeline(world.session, world.users["manager"], "client", client.id, {})
    answer = next(e for e in feed.entries if e.source == "feedback")
    assert answer.title == "Оценка 10 из 10 (продажа)" and answer.lines == ["Комментарий: Быстро и понятно"]
    # single use: the same link again is refused in Russian
    again = browser.get(path)
    assert again.status_code == 410 and "уже ответили" in again.get_data(as_text=True)
    assert browser.post(path, data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                    "score": "3"}).status_code == 410
    head = app.test_client()
    login(head, "head")
    report = head.get("/feedback/nps").get_data(as_text=True)
    assert "Иван Сергеевич Петров" in report and "КАСКО" in report and "Продажа" in report
    assert 'id="nps-total">NPS: <b>100</b>' in report


def test_an_expired_or_forged_link_is_refused_in_russian(world, app, smtp_server):
    _won_deal(world)
    path = _mail_and_link(app, world, smtp_server)
    browser = app.test_client()
    forged = path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb")
    answer = browser.get(forged)
    assert answer.status_code == 404 and "Ссылка на опрос недействительна" in answer.get_data(as_text=True)
    world.clock.advance(timedelta(days=15))
    expired = browser.get(path)
    assert expired.status_code == 410 and "Срок действия ссылки истёк" in expired.get_data(as_text=True)


def test_a_low_score_opens_exactly_one_task_for_the_senior_manager(world, app, smtp_server):
    client, _ = _won_deal(world, funnel="renewal")
    path = _mail_and_link(app, world, smtp_server)
    browser = app.test_client()
    token = csrf_from(browser.get(path).get_data(as_text=True))
    for score, status in ((4, 200), (2, 410)):
        form = {"csrf_token": token, "score": str(score), "comment": "Долго ждали полис"}
        answer = browser.post(path, data=form)
        assert answer.status_code == status
    world.session.expire_all()
    tasks = list(world.session.scalars(select(Task).where(Task.business_type == "client",
                                                          Task.business_id == client.id)))
    assert len(tasks) == 1
    [task] = tasks
    assert task.assignee_id == world.users["senior"].id
    assert task.title.startswith("Низкая оценка клиента 4/10")
    assert "Долго ждали полис" in task.description and "продление" in task.description
    survey = world.session.scalar(select(FeedbackSurvey).where(FeedbackSurvey.client_id == client.id))
    assert survey.process == "renewal" and survey.task_id == task.id


def test_a_closed_request_asks_once_and_a_client_without_e_mail_is_not_asked(world):
    from models.tasks.process_tasks import complete_process_task
    from tests.collaboration.test_requests import _ask

    request = _ask(world)
    [task] = world.open_tasks(request.instance_id)
    complete_process_task(world.session, world.engine(), world.users["underwriter"], task.id,
                          {"answer": "Тариф 2,1 %"})
    world.session.commit()
    [review] = world.open_tasks(request.instance_id)
    complete_process_task(world.session, world.engine(), world.users["manager"], review.id,
                          {"outcome": "accept"})
    world.session.commit()
    survey = world.session.scalar(select(FeedbackSurvey).where(FeedbackSurvey.occasion == "request"))
    assert survey.occasion_id == request.id and survey.process == "request"
    assert survey.status == SurveyStatus.NO_ADDRESS  # the demo client has no e-mail: nobody to ask
    assert world.session.scalar(select(func.count()).select_from(FeedbackSurvey)) == 1


@pytest.fixture(autouse=True)
def _no_rules(world):
    """No quality rules configured: the gates let these deals win."""
