"""Department requests waiting for a team, with their SLA, as one home section (shared by roles)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from models.collaboration.request_service import journal
from models.collaboration.requests import KINDS, RequestStatus
from models.home.sections import SECTION_ROWS, Row, Section
from models.identity.users import User
from models.platform.durations import duration_text


def sla_text(due_at: datetime | None, now: datetime) -> str:
    """«SLA: осталось 5 ч» / «SLA просрочен на 2 ч»: what a queue worker needs at a glance."""
    if due_at is None:
        return "без SLA"
    shown = duration_text(due_at - now)
    return f"SLA: осталось {shown}" if due_at >= now else f"SLA просрочен на {shown}"


def open_requests(session: Session, user: User, kind: str, now: datetime, title: str, empty: str) -> Section:
    """Open requests of ``kind`` the user may see, oldest deadline first, each with its SLA."""
    found = journal(session, user, {"kind": kind, "status": RequestStatus.OPEN}, now).requests
    far = datetime.max.replace(tzinfo=now.tzinfo)
    found.sort(key=lambda r: (r.due_at or far, r.id))
    rows = [
        Row(
            r.subject,
            "department_request",
            r.id,
            f"{KINDS[r.kind].label} · {r.client.full_name} · {sla_text(r.due_at, now)}",
            r.due_at,
            r.due_at is not None and r.due_at < now,
        )
        for r in found[:SECTION_ROWS]
    ]
    return Section(
        f"requests_{kind}",
        title,
        rows,
        empty,
        count=len(found),
        more=("collaboration.requests_journal", {"kind": kind, "status": RequestStatus.OPEN}),
    )
