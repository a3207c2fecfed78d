"""A report as a letter: HTML with inline CSS (mail clients drop style sheets) and the XLSX attached.

Rendered for one recipient with that recipient's rights: a saved report runs with the
recipient as viewer, the dashboard with the recipient's scope.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from html import escape
from typing import Any

from sqlalchemy.orm import Session

from models.identity.users import User
from models.reports.custom import Column, ReportResult
from models.reports.exports import to_xlsx
from models.reports.pages import dashboard_page
from models.reports.saved import report_result
from models.reports.stored import ReportSubscription, SavedReport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_TABLE = "border-collapse:collapse;font-family:Arial,sans-serif;font-size:13px;margin:8px 0 16px"
_CELL = "border:1px solid #dee2e6;padding:4px 8px"
_HEAD = _CELL + ";background:#f1f3f5;font-weight:bold"


@dataclass
class Letter:
    subject: str
    sheets: list[tuple[str, ReportResult]]

    @property
    def empty(self) -> bool:
        return all(result.empty for _, result in self.sheets)


def _text(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "money":
        return f"{Decimal(str(value)):,.2f}".replace(",", " ").replace(".", ",") + " ₽"
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if hasattr(value, "strftime"):
        return value.strftime("%d.%m.%Y")
    return str(value)


def html_table(result: ReportResult) -> str:
    head = "".join(f'<th style="{_HEAD}">{escape(c.label)}</th>' for c in result.columns)
    rows = "".join(
        "<tr>"
        + "".join(
            f'<td style="{_CELL}">{escape(_text(v, c.type))}</td>'
            for v, c in zip(row, result.columns, strict=True)
        )
        + "</tr>"
        for row in result.rows[:200]
    )
    return f'<table style="{_TABLE}"><tr>{head}</tr>{rows}</table>'


def dashboard_sheets(session: Session, user: User, now: datetime) -> list[tuple[str, ReportResult]]:
    """The dashboard's figures as tables: flags, forecast, plan vs fact, hot deals."""
    page = dashboard_page(session, user, {}, now)
    flags = ReportResult(
        [Column("Показатель", "text"), Column("Сделок", "int")],
        [
            ["Застряли", page.flags["stuck"]],
            ["Без активности > 7 дней", page.flags["no_activity"]],
            ["КП истекают ≤ 3 дней", page.flags["offer_expiring"]],
            ["Клиенты с высоким риском", page.flags["registry"]],
            ["Выиграно за период", page.outcomes.won],
            ["Проиграно за период", page.outcomes.lost],
        ],
    )
    forecast = ReportResult(
        [
            Column("Период", "text"),
            Column("Вся воронка", "money"),
            Column("Лучший случай", "money"),
            Column("Надёжные", "money"),
            Column("Взвешенный", "money"),
        ],
        [[f.label, f.pipeline, f.best, f.commit, f.weighted] for f in page.forecasts],
    )
    plan = ReportResult(
        [
            Column("Менеджер", "text"),
            Column("План, премия", "money"),
            Column("Факт, премия", "money"),
            Column("%", "number"),
        ],
        [[r.user.full_name, r.plan_premium, r.won_premium, r.percent] for r in page.plan],
    )
    hot = ReportResult(
        [Column("Сделка", "text"), Column("Премия", "money"), Column("Причины", "text")],
        [[h.deal.title, h.deal.premium, "; ".join(h.reasons)] for h in page.hot],
    )
    return [("Сводка", flags), ("Прогноз", forecast), ("План-факт", plan), ("Горящие сделки", hot)]


def letter_for(session: Session, sub: ReportSubscription, user: User, now: datetime) -> Letter:
    """What ``user`` gets from ``sub`` now, computed with ``user``'s rights."""
    if sub.target == "saved" and sub.saved_report_id is not None:
        report = session.get_one(SavedReport, sub.saved_report_id)
        return Letter(f"Отчёт «{report.name}»", [(report.name, report_result(session, user, report))])
    return Letter("Дашборд отдела продаж", dashboard_sheets(session, user, now))


def email_payload(letter: Letter, to: str, unsubscribe_url: str) -> dict:
    """An outbox ``email`` payload: text, HTML with inline CSS, the XLSX attached."""
    parts = "".join(
        f'<h3 style="font-family:Arial,sans-serif">{escape(title)}</h3>{html_table(result)}'
        for title, result in letter.sheets
    )
    html = (
        f'<div style="font-family:Arial,sans-serif;color:#212529"><h2>{escape(letter.subject)}</h2>{parts}'
        f'<p style="font-size:12px;color:#6c757d">Полная таблица — во вложении. '
        f'<a href="{escape(unsubscribe_url)}">Отписаться от рассылки</a></p></div>'
    )
    body = f"{letter.subject}: таблица во вложении (XLSX).\nОтписаться: {unsubscribe_url}"
    xlsx = to_xlsx(letter.sheets)
    return {
        "to": to,
        "subject": letter.subject,
        "body": body,
        "html": html,
        "attachments": [
            {"filename": "report.xlsx", "content_type": XLSX, "data": base64.b64encode(xlsx).decode("ascii")}
        ],
    }
