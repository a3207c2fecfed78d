"""Senior manager and head: the team dashboard (``models.reports``) plus the approvals waiting for them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from models.discounts.pages import waiting_for
from models.documents.signoff import my_approvals
from models.home.sections import SECTION_ROWS, Home, Row, Section, first_to_do
from models.identity.users import User
from models.reports.pages import dashboard_shell


def percent(value: Decimal | None) -> str:
    """«7,5 %» (Russian decimal comma, no trailing zeros)."""
    if value is None:
        return "—"
    text = format(value.normalize(), "f")
    return f"{text.replace('.', ',')} %"


def discount_approvals(
    session: Session, user: User, now: datetime, title: str = "Скидки ждут решения"
) -> Section:
    """Discount requests the user (or the absent colleague they stand in for) decides."""
    queue = waiting_for(session, user, now)
    rows = [
        Row(
            f"Скидка {percent(q.request.discount_pct)} — {q.request.deal.title}",
            "discount_request",
            q.request.id,
            f"{q.request.product} · ждёт {q.waiting_text}",
            late=q.waiting.days >= 1,
        )
        for q in queue[:SECTION_ROWS]
    ]
    return Section(
        "discounts", title, rows, "Запросов на скидку нет.", count=len(queue), more=("discounts.index", {})
    )


def document_approvals(
    session: Session, user: User, now: datetime, title: str = "Документы на согласовании"
) -> Section:
    """Documents whose approval step is assigned to the user."""
    found = my_approvals(session, user)
    rows = [
        Row(
            doc.title,
            "document",
            doc.id,
            task.title,
            task.due_at,
            task.due_at is not None and task.due_at < now,
        )
        for task, doc in found[:SECTION_ROWS]
    ]
    return Section(
        "documents",
        title,
        rows,
        "Документов на согласовании нет.",
        count=len(found),
        more=("documents.approvals", {}),
    )


def team_home(session: Session, user: User, now: datetime) -> Home:
    """The dashboard of the team the user leads and what waits for their decision."""
    sections = [discount_approvals(session, user, now), document_approvals(session, user, now)]
    return Home(
        user.role,
        "Команда сегодня",
        first_to_do(sections, "Согласований нет: посмотрите застрявшие сделки на дашборде."),
        sections,
        template="home/team.html",
        extra={"dashboard": dashboard_shell(session, user, {}, now)},
    )
