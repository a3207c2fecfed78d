"""Scheduled report e-mail: subscriptions, the scheduler job that sends each run once, «send now», opting out.

A subscription names a report (or the dashboard), a weekday and time in a zone, and
recipients (users and roles). The job ``report_schedules`` claims a due subscription the way
every job claims work (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, the version column on
SQLite), moves its ``next_run_at`` on and, in the same transaction, queues one outbox letter
per recipient rendered with that recipient's rights; ``report_delivery`` (unique per run and
recipient) and the outbox's dedupe key make a second worker's attempt fail instead of
sending twice. Nothing changes a schedule but its author: no silent switch to a lower
frequency. Schedules belong to one installation (``instance_key``): a copied database
keeps quiet.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models.identity.users import User
from models.notifications.service import send_email
from models.platform.errors import NotFound
from models.platform.jobs import JobContext, claim, run_unit
from models.platform.permissions import AccessDenied
from models.platform.roles import Role
from models.platform.settings import Settings
from models.reports.letters import email_payload, letter_for
from models.reports.saved import get_report
from models.reports.stored import ReportDelivery, ReportOptOut, ReportSubscription

TARGETS = {"saved": "Свой отчёт", "dashboard": "Дашборд отдела продаж"}
WEEKDAYS = ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье")
EDIT_ALL = frozenset({Role.HEAD, Role.ADMIN})


class ScheduleError(ValueError):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(m for ms in errors.values() for m in ms))


def instance_key(settings: Settings) -> str:
    """This installation's mark: a database copied elsewhere has another address and stays silent."""
    return hashlib.sha256(f"{settings.public_url}|{settings.database_url}".encode()).hexdigest()[:32]


def next_run(sub: ReportSubscription, after: datetime) -> datetime:
    """The first moment strictly after ``after`` on the subscription's weekday and time in its zone."""
    zone = ZoneInfo(sub.zone)
    local = after.astimezone(zone)
    day = local.date()
    for _ in range(8):
        moment = datetime.combine(day, time(sub.hour, sub.minute), zone)
        if moment > local and (sub.weekday is None or day.weekday() == sub.weekday):
            return moment.astimezone(after.tzinfo)
        day += timedelta(days=1)
    raise AssertionError("a weekday recurs within a week")


def subscribe(
    session: Session,
    user: User,
    form: dict[str, str],
    user_ids: list[str],
    roles: list[str],
    settings: Settings,
    now: datetime,
) -> ReportSubscription:
    """A new subscription from the form; ``ScheduleError`` (Russian) naming every problem."""
    errors: dict[str, list[str]] = {}
    target = form.get("target", "")
    if target not in TARGETS:
        errors["target"] = ["Выберите отчёт или дашборд"]
    report_id = None
    if target == "saved":
        raw = form.get("saved_report_id", "")
        report_id = int(raw) if raw.isdigit() else None
        if report_id is None:
            errors["saved_report_id"] = ["Выберите отчёт"]
        else:
            get_report(session, user, report_id)  # NotFound / AccessDenied
    weekday = form.get("weekday", "")
    hour, minute = form.get("hour", ""), form.get("minute", "0") or "0"
    if weekday and not (weekday.isdigit() and int(weekday) < 7):
        errors["weekday"] = ["День недели: от понедельника до воскресенья"]
    if not (hour.isdigit() and int(hour) < 24 and minute.isdigit() and int(minute) < 60):
        errors["hour"] = ["Время: часы 0–23, минуты 0–59"]
    zone = form.get("zone") or "Europe/Moscow"
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        errors["zone"] = [f"Неизвестный часовой пояс «{zone}»"]
    ids = [int(x) for x in user_ids if x.isdigit()]
    bad_roles = [r for r in roles if r not in {x.value for x in Role}]
    if bad_roles:
        errors["roles"] = [f"Неизвестная роль: {', '.join(bad_roles)}"]
    if not ids and not roles:
        errors["recipients"] = ["Выберите получателей: сотрудников или роли"]
    if errors:
        raise ScheduleError(errors)
    sub = ReportSubscription(
        target=target,
        saved_report_id=report_id,
        created_by_id=user.id,
        weekday=int(weekday) if weekday else None,
        hour=int(hour),
        minute=int(minute),
        zone=zone,
        recipient_ids=ids,
        recipient_roles=sorted(set(roles)),
        skip_empty=form.get("skip_empty") == "on",
        active=True,
        instance_key=instance_key(settings),
        created_at=now,
    )
    sub.next_run_at = next_run(sub, now)
    session.add(sub)
    session.flush()
    return sub


def recipients(session: Session, sub: ReportSubscription) -> list[User]:
    """Active users named or holding a named role, with an e-mail, who did not opt out."""
    conditions = []
    if sub.recipient_ids:
        conditions.append(User.id.in_(sub.recipient_ids))
    if sub.recipient_roles:
        conditions.append(User.role.in_(sub.recipient_roles))
    if not conditions:
        return []
    opted = select(ReportOptOut.user_id).where(ReportOptOut.subscription_id == sub.id)
    return list(
        session.scalars(
            select(User)
            .where(or_(*conditions), User.is_active, User.email.is_not(None), User.id.not_in(opted))
            .order_by(User.id)
        )
    )


def unsubscribe_token(settings: Settings, sub_id: int, user_id: int) -> str:
    message = f"report-unsubscribe:{sub_id}:{user_id}".encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest()[:32]


def deliver(
    session: Session,
    sub: ReportSubscription,
    run_at: datetime,
    users: list[User],
    settings: Settings,
    now: datetime,
) -> int:
    """Queue the letters of one run; returns how many were queued (empty ones skipped by choice)."""
    queued = 0
    for user in users:
        letter = letter_for(session, sub, user, now)
        if letter.empty and sub.skip_empty:
            session.add(
                ReportDelivery(
                    subscription_id=sub.id,
                    run_at=run_at,
                    user_id=user.id,
                    skipped="пустой отчёт",
                    created_at=now,
                )
            )
            continue
        if "@" not in (user.email or ""):
            session.add(ReportDelivery(subscription_id=sub.id, run_at=run_at, user_id=user.id,
                                       skipped="нет адреса e-mail", created_at=now))
            continue
        token = unsubscribe_token(settings, sub.id, user.id)
        url = f"{settings.public_url}/reports/unsubscribe/{sub.id}/{token}"
        payload = email_payload(letter, user.email or "", url)
        row = send_email(session, payload["to"], payload["subject"], payload["body"], now,
                         dedupe_key=f"report:{sub.id}:{run_at.isoformat()}:{user.id}",
                         attachments=payload["attachments"], html=payload["html"])
        session.add(
            ReportDelivery(
                subscription_id=sub.id, run_at=run_at, user_id=user.id, outbox_id=row.id, created_at=now
            )
        )
        queued += 1
    session.flush()
    return queued


def run_due(context: JobContext) -> int:
    """The scheduler job: every due subscription of this installation, each run in its own unit of work."""
    now, key = context.clock.now(), instance_key(context.settings)
    with context.session_factory() as session:
        ids = session.scalars(
            select(ReportSubscription.id)
            .where(
                ReportSubscription.active,
                ReportSubscription.next_run_at <= now,
                ReportSubscription.instance_key == key,
            )
            .order_by(ReportSubscription.next_run_at)
        ).all()

    def work_for(sub_id: int):
        def work(session: Session) -> int:
            sub = claim(
                session,
                select(ReportSubscription).where(
                    ReportSubscription.id == sub_id,
                    ReportSubscription.active,
                    ReportSubscription.next_run_at <= now,
                ),
            )
            if sub is None:
                return 0
            run_at = sub.next_run_at
            sub.last_run_at, sub.next_run_at = now, next_run(sub, now)
            session.flush()  # the version check: a second worker loses here, before any letter
            return deliver(session, sub, run_at, recipients(session, sub), context.settings, now)

        return work

    return sum(run_unit(context.session_factory, work_for(i)) or 0 for i in ids)


def _owned(session: Session, user: User, sub_id: int) -> ReportSubscription:
    sub = session.get(ReportSubscription, sub_id)
    if sub is None:
        raise NotFound("Рассылка не найдена")
    if sub.created_by_id != user.id and Role(user.role) not in EDIT_ALL:
        raise AccessDenied("Рассылкой управляет её автор")
    return sub


def send_now(session: Session, user: User, sub_id: int, settings: Settings, now: datetime) -> int:
    """«Отправить сейчас»: the letter to the one who asks, to check it; the schedule is untouched."""
    sub = _owned(session, user, sub_id)
    return deliver(session, sub, now, [user], settings, now)


def set_active(session: Session, user: User, sub_id: int, active: bool, now: datetime) -> ReportSubscription:
    sub = _owned(session, user, sub_id)
    sub.active = active
    if active:
        sub.next_run_at = next_run(sub, now)
    session.flush()
    return sub


def opt_out(session: Session, user: User, sub_id: int, token: str, settings: Settings) -> ReportSubscription:
    """The unsubscribe link: the logged-in recipient leaves this subscription."""
    sub = session.get(ReportSubscription, sub_id)
    if sub is None or not hmac.compare_digest(token, unsubscribe_token(settings, sub_id, user.id)):
        raise NotFound("Ссылка отписки не подходит к вашей учётной записи")
    if session.get(ReportOptOut, (sub_id, user.id)) is None:
        session.add(ReportOptOut(subscription_id=sub_id, user_id=user.id))
        session.flush()
    return sub


def subscriptions_page(session: Session, user: User) -> list[ReportSubscription]:
    stmt = select(ReportSubscription).order_by(ReportSubscription.id)
    if Role(user.role) not in EDIT_ALL:
        stmt = stmt.where(ReportSubscription.created_by_id == user.id)
    return list(session.scalars(stmt))
