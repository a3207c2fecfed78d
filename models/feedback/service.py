"""Client feedback: who is asked after what, the letter with the signed link, the answer and its task.

- ``on_deal_closed`` / ``on_request_closed`` hear the domain events and add a queued survey in
  the same transaction (a won deal of a renewal funnel is a renewal);
- ``send_due`` (the ``feedback_surveys`` job) signs the links and queues the letters through
  ``send_email`` (the outbox), one unit per survey;
- ``open_survey`` / ``answer_survey`` serve the public page: a forged, expired or used link is
  refused with a Russian message; a score of 6 or lower opens one task for the senior manager.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.clients.cards import Client, Contact
from models.feedback.surveys import (
    LIFETIME,
    LOW_SCORE,
    PROCESSES,
    FeedbackSurvey,
    SurveyStatus,
    new_nonce,
    sign,
    survey_id_of,
)
from models.identity.users import User
from models.notifications.service import send_email
from models.platform.events import DomainEvent
from models.platform.jobs import JobContext, run_unit
from models.platform.roles import Role
from models.sales.deals import Deal, DealStatus
from models.tasks.adhoc import TaskInput, create_task

BATCH = 50
TASK_GRACE = timedelta(hours=4)


class SurveyRefused(Exception):
    """The link cannot be used (``status``: 404 unknown, 410 expired or answered)."""

    def __init__(self, message: str, status: int = 410) -> None:
        self.message, self.status = message, status
        super().__init__(message)


class AnswerInvalid(Exception):
    def __init__(self, fields: dict[str, list[str]]) -> None:
        self.fields = fields
        super().__init__("; ".join(m for ms in fields.values() for m in ms))


def _recipient(session: Session, client: Client) -> tuple[int | None, str | None]:
    """The decision maker's e-mail first, then any contact's, then the card's own."""
    contacts = session.scalars(select(Contact).where(Contact.client_id == client.id,
                                                     Contact.email.is_not(None))
                               .order_by(Contact.is_decision_maker.desc(), Contact.id))
    for contact in contacts:
        if contact.email and "@" in contact.email:
            return contact.id, contact.email
    return None, client.email if client.email and "@" in client.email else None


def queue_survey(session: Session, *, occasion: str, occasion_id: int, process: str, client_id: int,
                 owner_id: int | None, deal_id: int | None, product: str | None,
                 now: datetime) -> FeedbackSurvey | None:
    """Add the survey of one occasion once (a repeated event asks nobody twice)."""
    if session.scalar(select(FeedbackSurvey.id).where(FeedbackSurvey.occasion == occasion,
                                                      FeedbackSurvey.occasion_id == occasion_id)):
        return None
    client = session.get(Client, client_id)
    if client is None:
        return None
    contact_id, email = _recipient(session, client)
    survey = FeedbackSurvey(occasion=occasion, occasion_id=occasion_id, process=process, client_id=client_id,
                            contact_id=contact_id, deal_id=deal_id, owner_id=owner_id,
                            product=(product or None) and product[:200], email=email, nonce=new_nonce(),
                            status=SurveyStatus.QUEUED if email else SurveyStatus.NO_ADDRESS, created_at=now)
    session.add(survey)
    session.flush()
    return survey


def on_deal_closed(session: Session, event: DomainEvent) -> None:
    """``deal.stage_changed`` into a won stage: a sale, or a renewal in the renewal funnel."""
    payload = event.payload
    deal = session.get(Deal, payload.get("deal_id"))
    if deal is None or deal.status != DealStatus.WON:
        return
    process = "renewal" if payload.get("funnel") == "renewal" else "sale"
    queue_survey(session, occasion="deal", occasion_id=deal.id, process=process, client_id=deal.client_id,
                 owner_id=deal.owner_id, deal_id=deal.id,
                 product=deal.product_lines[0] if deal.product_lines else None, now=event.at)


def on_request_closed(session: Session, event: DomainEvent) -> None:
    """``department_request.closed``: the requester's client is asked how the answer served them."""
    payload = event.payload
    queue_survey(session, occasion="request", occasion_id=int(payload["request_id"]), process="request",
                 client_id=int(payload["client_id"]), owner_id=payload.get("requester_id"),
                 deal_id=payload.get("deal_id"), product=payload.get("product"), now=event.at)


def _letter(survey: FeedbackSurvey, client: Client, link: str) -> tuple[str, str]:
    what = {"sale": "сотрудничество", "renewal": "продление договора",
            "request": "ответ на ваш запрос"}[survey.process]
    subject = "Оцените нашу работу — два вопроса"
    body = (f"Здравствуйте!\n\nСпасибо за {what} ({client.full_name}). Насколько вероятно, что вы "
            f"порекомендуете нас коллегам? Ответ займёт минуту:\n\n{link}\n\n"
            f"Ссылка действует до {(survey.expires_at or survey.created_at):%d.%m.%Y} "
            "и только для одного ответа.")
    return subject, body


def send_due(context: JobContext) -> int:
    """``feedback_surveys``: sign and mail queued surveys, one unit of work each."""
    with context.session_factory() as session:
        queued = select(FeedbackSurvey.id).where(FeedbackSurvey.status == SurveyStatus.QUEUED)
        ids = list(session.scalars(queued.order_by(FeedbackSurvey.id).limit(BATCH)))

    def work_for(survey_id: int):
        def work(session: Session) -> bool:
            survey = session.get(FeedbackSurvey, survey_id)
            if survey is None or survey.status != SurveyStatus.QUEUED or not survey.email:
                return False
            now = context.clock.now()
            survey.status, survey.sent_at, survey.expires_at = SurveyStatus.SENT, now, now + LIFETIME
            link = f"{context.settings.public_url}/feedback/s/{sign(context.settings.secret_key, survey)}"
            subject, body = _letter(survey, session.get_one(Client, survey.client_id), link)
            send_email(session, survey.email, subject, body, now, dedupe_key=f"feedback-survey:{survey.id}")
            return True
        return work

    return sum(bool(run_unit(context.session_factory, work_for(i))) for i in ids)


def open_survey(session: Session, secret: str, token: str, now: datetime) -> FeedbackSurvey:
    """The survey behind a link that may still be answered, or ``SurveyRefused``."""
    found = survey_id_of(secret, token)
    survey = session.get(FeedbackSurvey, found[0]) if found else None
    if found is None or survey is None or survey.nonce != found[1] or survey.sent_at is None:
        raise SurveyRefused("Ссылка на опрос недействительна. Проверьте, что она скопирована целиком.", 404)
    if survey.answered_at is not None:
        raise SurveyRefused("Вы уже ответили на этот опрос — спасибо! Ссылка работает только один раз.")
    if survey.expires_at is not None and now >= survey.expires_at:
        raise SurveyRefused("Срок действия ссылки истёк: опрос закрыт.")
    return survey


def parse_answer(form: Mapping[str, Any]) -> tuple[int, str]:
    errors: dict[str, list[str]] = {}
    raw = str(form.get("score") or "").strip()
    score = int(raw) if raw.isdigit() else -1
    if not 0 <= score <= 10:
        errors["score"] = ["Выберите оценку от 0 до 10"]
    comment = str(form.get("comment") or "").strip()
    if len(comment) > 4000:
        errors["comment"] = ["Комментарий не длиннее 4000 символов"]
    if errors:
        raise AnswerInvalid(errors)
    return score, comment


def answer_survey(session: Session, secret: str, token: str, form: Mapping[str, Any],
                  now: datetime) -> FeedbackSurvey:
    """Record the answer once; a low score opens one task for the owner's senior manager."""
    survey = open_survey(session, secret, token, now)
    score, comment = parse_answer(form)
    # A conditional update, not a read-then-write: of two answers racing on one link, one wins.
    won = session.execute(update(FeedbackSurvey).where(FeedbackSurvey.id == survey.id,
                                                       FeedbackSurvey.answered_at.is_(None))
                          .values(score=score, comment=comment or None, answered_at=now,
                                  status=SurveyStatus.ANSWERED).execution_options(synchronize_session=False))
    if getattr(won, "rowcount", 0) != 1:
        raise SurveyRefused("Вы уже ответили на этот опрос — спасибо! Ссылка работает только один раз.")
    session.refresh(survey)
    if score <= LOW_SCORE:
        survey.task_id = _low_score_task(session, survey, now)
    return survey


def senior_of(session: Session, owner_id: int | None) -> int | None:
    """The owner's manager; without one, a senior manager of the owner's department; else the owner."""
    owner = session.get(User, owner_id) if owner_id else None
    if owner is None:
        return None
    if owner.manager is not None and owner.manager.is_active:
        return owner.manager.id
    senior = session.scalar(select(User.id).where(User.role == Role.SENIOR_MANAGER.value,
                                                  User.department_id == owner.department_id,
                                                  User.is_active.is_(True)).order_by(User.id).limit(1))
    return senior or owner.id


def _low_score_task(session: Session, survey: FeedbackSurvey, now: datetime) -> int:
    client = session.get_one(Client, survey.client_id)
    owner = session.get(User, survey.owner_id) if survey.owner_id else None
    assignee = senior_of(session, survey.owner_id)
    lines = [f"Клиент поставил {survey.score} из 10 ({PROCESSES[survey.process].lower()}).",
             f"Ответственный: {owner.full_name if owner else '—'}.",
             f"Комментарий клиента: {survey.comment or '—'}",
             "Свяжитесь с клиентом, разберитесь в причине и запишите итог в карточку."]
    title = f"Низкая оценка клиента {survey.score}/10: {client.full_name}"[:500]
    task = create_task(session, TaskInput(title=title,
                                          description="\n".join(lines), assignee_id=assignee,
                                          department=None if assignee else "sales", business_type="client",
                                          business_id=client.id, due_at=now + timedelta(days=2), priority=1),
                       None, now, TASK_GRACE)
    return task.id
