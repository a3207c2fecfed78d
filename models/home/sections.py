"""The shapes every home screen is made of: a page of sections, each a short list of rows.

A row names a business object (type and id) rather than a URL: the web layer turns it into a
link, so the domain stays free of routes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from models.tasks.inbox import InboxItem

SECTION_ROWS = 8  # rows shown per section; the section's count covers every row


@dataclass
class Row:
    title: str
    object_type: str | None = None
    object_id: int | None = None
    note: str = ""  # a short second line: the client, the reason, who asked
    due_at: datetime | None = None
    late: bool = False  # past its deadline or SLA: the row is shown in red
    tags: list[str] = field(default_factory=list)
    page: tuple[str, dict] | None = None  # (endpoint, arguments) for rows that are pages, not objects


@dataclass
class Section:
    key: str
    title: str
    rows: list[Row]
    empty: str  # the friendly text shown when there is nothing to do
    count: int | None = None  # everything behind the section (rows shows the first few)
    more: tuple[str, dict] | None = None  # (endpoint, arguments) of the full list
    figures: list[tuple[str, str]] = field(default_factory=list)  # (label, value) tiles

    def __post_init__(self) -> None:
        if self.count is None:
            self.count = len(self.rows)

    @property
    def filled(self) -> bool:
        return bool(self.rows or self.figures)


@dataclass
class Home:
    role: str
    heading: str
    next_step: str  # one sentence: what to do first
    sections: list[Section]
    template: str = "home/index.html"
    extra: dict = field(default_factory=dict)  # what a role's own template needs besides sections


def first_to_do(sections: list[Section], fallback: str) -> str:
    """«Начните с …»: the first section that has rows, else ``fallback``."""
    for section in sections:
        if section.rows:
            row = section.rows[0]
            return f"Начните с раздела «{section.title}»: {row.title}."
    return fallback


def task_rows(items: list[InboxItem], now: datetime) -> list[Row]:
    """Inbox items as rows: the client or deal named by the inbox, late when past due."""
    rows = []
    for item in items[:SECTION_ROWS]:
        kind = "human_task" if item.kind == "process" else "task"
        note = item.labels.get("business") or item.labels.get("object") or ""
        rows.append(
            Row(
                item.title,
                kind,
                item.id,
                str(note),
                item.due_at,
                item.due_at is not None and item.due_at < now,
            )
        )
    return rows
