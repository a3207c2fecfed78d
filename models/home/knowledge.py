"""Product specialist and analyst: how the processes work for people, good examples, questions, reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.api import ProcessEngine
from models.collaboration.marks import examples_page
from models.home.requests import open_requests
from models.home.sections import SECTION_ROWS, Home, Row, Section, first_to_do
from models.identity.users import User
from models.reports.saved import visible_reports
from models.studio.feedback import recent_feedback
from models.studio.pages import studio_index
from models.studio.tables import FEEDBACK_LABELS, StepFeedback

# The report pages everyone with reports can open (saved reports are listed after them).
BUILT_IN_REPORTS = (
    ("Дашборд отдела продаж", "reports.index"),
    ("Еженедельный отчёт", "reports.weekly"),
    ("KPI", "reports.kpi"),
    ("План/факт", "reports.plans"),
)


def _feedback(session: Session, user: User) -> Section:
    keys = list(session.scalars(select(StepFeedback.process_key).distinct()))
    found = sorted(
        (f for key in keys for f in recent_feedback(session, key, SECTION_ROWS)),
        key=lambda f: f.id,
        reverse=True,
    )
    rows = [
        Row(
            f"{f.element_name or f.element_id}: {FEEDBACK_LABELS.get(f.kind, f.kind).lower()}",
            note=f.text,
            page=("studio.analytics", {"key": f.process_key}),
        )
        for f in found[:SECTION_ROWS]
    ]
    return Section(
        "feedback",
        "Отзывы о процессах",
        rows,
        "Отзывов о шагах процессов пока нет.",
        count=len(found),
        more=("studio.index", {}),
    )


def _examples(session: Session, user: User) -> Section:
    shown = examples_page(session, user, {}).examples
    rows = [
        Row(
            m.comment.body[:160],
            m.comment.object_type,
            m.comment.object_id,
            " · ".join(x for x in (m.mark.product, m.mark.tag) if x),
        )
        for m in shown[:SECTION_ROWS]
    ]
    return Section(
        "examples",
        "Примеры успешных продаж",
        rows,
        "Пока никто не отметил комментарий как «пример».",
        count=len(shown),
        more=("collaboration.examples", {}),
    )


def product_home(session: Session, user: User, now: datetime) -> Home:
    sections = [
        open_requests(
            session, user, "product_question", now, "Вопросы ждут ответа", "Вопросов по продуктам нет."
        ),
        _feedback(session, user),
        _examples(session, user),
    ]
    return Home(
        user.role, "Продукты и процессы", first_to_do(sections, "Новых вопросов и отзывов нет."), sections
    )


def _processes(session: Session, engine: ProcessEngine, user: User) -> Section:
    index = studio_index(session, engine, user)
    busiest = sorted(index.processes, key=lambda p: -p.instances)
    rows = [
        Row(
            p.name,
            note=f"экземпляров: {p.instances} · отзывов: {p.feedback}",
            page=("studio.analytics", {"key": p.key}),
        )
        for p in busiest[:SECTION_ROWS]
        if p.version is not None
    ]
    return Section(
        "processes",
        "Аналитика процессов",
        rows,
        "Процессы ещё не развёрнуты.",
        count=len(index.processes),
        more=("studio.index", {}),
    )


def _reports(session: Session, user: User) -> Section:
    rows = [Row(title, page=(endpoint, {})) for title, endpoint in BUILT_IN_REPORTS]
    rows += [
        Row(r.name, note="свой отчёт", page=("reports.custom_show", {"report_id": r.id}))
        for r in visible_reports(session, user)[:SECTION_ROWS]
    ]
    return Section("reports", "Отчёты", rows, "Отчётов пока нет.", more=("reports.custom_list", {}))


def analyst_home(session: Session, engine: ProcessEngine, user: User, now: datetime) -> Home:
    sections = [
        _processes(session, engine, user),
        _reports(session, user),
        open_requests(session, user, "data_request", now, "Запросы данных", "Запросов данных нет."),
    ]
    return Home(user.role, "Аналитика", first_to_do(sections, "Начните с аналитики процессов."), sections)
