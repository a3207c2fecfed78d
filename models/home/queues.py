"""Back office, lawyer and underwriter: the queues they work through, each row with its deadline."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy.orm import Session

from models.home.requests import open_requests, sla_text
from models.home.sections import SECTION_ROWS, Home, Row, Section, first_to_do
from models.home.team import discount_approvals, document_approvals
from models.identity.users import User
from models.tasks.inbox import InboxItem, describe, items, viewer_for

QUEUE_ROWS = 200  # the queue rows grouped by process (the inbox pages the rest)
DOCUMENT_PROCESSES = ("document_approval",)


def _sla_rows(found: list[InboxItem], now: datetime) -> list[Row]:
    rows = []
    for item in found[:SECTION_ROWS]:
        kind = "human_task" if item.kind == "process" else "task"
        note = " · ".join(
            x
            for x in (item.labels.get("process"), item.labels.get("business"), sla_text(item.due_at, now))
            if x
        )
        rows.append(
            Row(item.title, kind, item.id, note, item.due_at, item.due_at is not None and item.due_at < now)
        )
    return rows


def _queues(session: Session, user: User, now: datetime) -> list[Section]:
    """The department's unclaimed queue and the user's own work, split into checks and documents."""
    viewer = viewer_for(session, user, now)
    queue = items(session, viewer, "queue", now, limit=QUEUE_ROWS, described=False)
    mine = items(session, viewer, "my", now, limit=QUEUE_ROWS, described=False)
    describe(session, queue + mine, viewer)  # both lists named at once: a statement per kind of name
    documents = [i for i in queue + mine if i.process_key in DOCUMENT_PROCESSES]
    checks = [i for i in queue if i.process_key not in DOCUMENT_PROCESSES]
    own = [i for i in mine if i.process_key not in DOCUMENT_PROCESSES]
    per_process = Counter(i.labels.get("process", "Задача") for i in queue)
    return [
        Section(
            "checks",
            "Очередь отдела: проверки",
            _sla_rows(checks, now),
            "Очередь пуста — новые проверки появятся здесь.",
            count=len(checks),
            more=("inbox.index", {"section": "queue"}),
            figures=[(name, str(n)) for name, n in per_process.most_common(4)]
            if len(per_process) > 1
            else [],
        ),
        Section(
            "mine",
            "В работе у меня",
            _sla_rows(own, now),
            "Вы ничего не взяли в работу: возьмите задачу из очереди.",
            count=len(own),
            more=("inbox.index", {}),
        ),
        Section(
            "prepare",
            "Документы подготовить",
            _sla_rows(documents, now),
            "Документов к подготовке нет.",
            count=len(documents),
            more=("documents.index", {}),
        ),
    ]


def backoffice_home(session: Session, user: User, now: datetime) -> Home:
    sections = [
        *_queues(session, user, now),
        open_requests(
            session, user, "requisites", now, "Запросы менеджеров", "Менеджеры ничего не спрашивают."
        ),
    ]
    return Home(
        user.role,
        "Очереди бэк-офиса",
        first_to_do(sections, "Очереди пусты: проверьте качество данных клиентов."),
        sections,
    )


def lawyer_home(session: Session, user: User, now: datetime) -> Home:
    sections = [
        document_approvals(session, user, now, "Документы: проверить и согласовать"),
        open_requests(
            session,
            user,
            "contract_review",
            now,
            "Договоры на проверку",
            "Запросов на проверку договоров нет.",
        ),
    ]
    return Home(
        user.role,
        "Документы на проверке",
        first_to_do(sections, "Всё согласовано: загляните в архив документов."),
        sections,
    )


def underwriter_home(session: Session, user: User, now: datetime) -> Home:
    sections = [
        open_requests(session, user, "tariff", now, "Запросы на расчёт тарифа", "Запросов на тариф нет."),
        discount_approvals(session, user, now, "Эскалации скидок"),
    ]
    return Home(
        user.role,
        "Андеррайтинг",
        first_to_do(sections, "Запросов нет: посмотрите убыточность портфеля."),
        sections,
    )
