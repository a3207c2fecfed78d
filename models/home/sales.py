"""«Мой день» of a sales manager: tasks, deals needing action, leads, calls to return, expiring КП."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, func, literal, select
from sqlalchemy.orm import Session

from models.home.sections import SECTION_ROWS, Home, Row, Section, first_to_do, task_rows
from models.identity.users import User
from models.platform.permissions import scoped
from models.reports.tables import DealTotal
from models.sales.deals import FLAG_LABELS, Deal, DealStatus
from models.sales.leads import LeadStatus
from models.sales.queries import flagged_deals, leads_to_contact
from models.tasks.inbox import InboxFilters, InboxItem, describe, items, viewer_for

CALLBACK_PROCESS = "client_callback"


def _tasks(overdue: list[InboxItem], today: list[InboxItem], now: datetime) -> Section:
    due_today = [i for i in today if i.due_at and i.due_at >= now]
    return Section(
        "tasks",
        "Задачи на сегодня и просроченные",
        task_rows(overdue + due_today, now),
        "На сегодня задач нет — загляните в сделки ниже.",
        more=("inbox.index", {}),
    )


def _calls(calls: list[InboxItem], now: datetime) -> Section:
    return Section(
        "calls",
        "Перезвонить",
        task_rows(calls, now),
        "Никто не ждёт обратного звонка.",
        more=("inbox.index", {"process": CALLBACK_PROCESS}),
    )


def _task_lists(session: Session, user: User, now: datetime) -> tuple[list[InboxItem], ...]:
    """Overdue, today's and the callbacks, named together: one look-up per kind of name (clients,
    leads, processes) for the three lists, not one per list."""
    viewer = viewer_for(session, user, now)  # whose tasks the user sees: asked once for all three
    lists = (items(session, viewer, "overdue", now, limit=SECTION_ROWS, described=False),
             items(session, viewer, "today", now, limit=SECTION_ROWS, described=False),
             items(session, viewer, "my", now, InboxFilters(process=CALLBACK_PROCESS), limit=SECTION_ROWS,
                   described=False))
    describe(session, [i for rows in lists for i in rows], viewer)
    return lists


def _open_deals(user: User) -> ColumnElement[int]:
    """SQL for the user's open deals from the kept totals (``report_deal_total``), counted only when
    the user may see their own deals — a few rows, however many deals the user has."""
    own = select(literal(1)).select_from(Deal).where(Deal.owner_id == user.id)
    visible = scoped(user, Deal, own).exists()
    return (select(func.coalesce(func.sum(DealTotal.n), 0))
            .where(DealTotal.owner_id == user.id, DealTotal.status == DealStatus.OPEN, visible)
            .scalar_subquery())


def _deals(session: Session, user: User, now: datetime) -> tuple[Section, Section]:
    flagged, flagged_count = flagged_deals(session, user, now, tuple(FLAG_LABELS), SECTION_ROWS,
                                           _open_deals(user))
    action = [
        Row(
            d.title,
            "deal",
            d.id,
            d.stage.name if d.stage else "",
            tags=[FLAG_LABELS[x] for x in f],
            late="stuck" in f,
        )
        for d, f in flagged
    ]
    expiring, expiring_count = flagged_deals(session, user, now, ("offer_expiring",), SECTION_ROWS)
    offers = [
        Row(
            d.title,
            "deal",
            d.id,
            f"КП действует до {d.offer_expires_on:%d.%m.%Y}" if d.offer_expires_on else "",
            late=True,
        )
        for d, _ in expiring
    ]
    return (
        Section(
            "deals",
            "Сделки, которым нужно действие",
            action,
            "Все ваши сделки в порядке: нет застрявших и забытых.",
            count=flagged_count,
            more=("deals.index", {"owner_id": user.id, "status": "open"}),
        ),
        Section(
            "offers",
            "КП истекают",
            offers,
            "Ни одно КП не истекает в ближайшие дни.",
            count=expiring_count,
            more=("deals.index", {"owner_id": user.id, "flag": "offer_expiring"}),
        ),
    )


def _leads(session: Session, user: User) -> Section:
    leads, waiting = leads_to_contact(session, user, SECTION_ROWS)
    rows = [
        Row(
            lead.company or lead.name or f"Лид №{lead.id}",
            "lead",
            lead.id,
            " · ".join(x for x in (lead.name, lead.comment) if x),
        )
        for lead in leads
    ]
    return Section(
        "leads",
        "Лиды: связаться",
        rows,
        "Новых лидов нет — самое время позвонить клиентам из базы.",
        count=waiting,
        more=("leads.index", {"status": LeadStatus.ASSIGNED}),
    )


def manager_day(session: Session, user: User, now: datetime) -> Home:
    """The manager's day, most urgent first: tasks, deals with flags, leads, calls, expiring КП."""
    deals, offers = _deals(session, user, now)
    overdue, today, calls = _task_lists(session, user, now)
    sections = [_tasks(overdue, today, now), deals, _leads(session, user), _calls(calls, now), offers]
    return Home(
        user.role,
        "Мой день",
        first_to_do(sections, "Дел на сегодня нет: проверьте воронку и планы."),
        sections,
    )
