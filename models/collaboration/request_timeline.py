"""Department requests on the client and deal timelines: asked, answered, SLA kept or breached."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.collaboration.requests import DepartmentRequest
from models.collaboration.timeline import Entry, Scope, TimelineSource


def _lines(r: DepartmentRequest) -> list[str]:
    lines = [f"Отдел: {r.team}", f"Статус: {r.status_label}"]
    if r.answer:
        lines.append(f"Ответ: {r.answer}")
    if r.in_sla is False:
        lines.append("SLA нарушен")
    return lines


def requests(session: Session, scope: Scope) -> list[Entry]:
    where = DepartmentRequest.deal_id == scope.deal_id if scope.deal_id else \
        DepartmentRequest.client_id == scope.client_id
    stmt = scope.by_people(DepartmentRequest.requester_id, select(DepartmentRequest).where(where))
    if scope.before is not None:
        stmt = stmt.where(DepartmentRequest.created_at <= scope.before)
    rows = session.scalars(stmt.order_by(DepartmentRequest.created_at.desc(), DepartmentRequest.id.desc())
                           .limit(scope.limit))
    return [Entry(r.created_at, "request", r.id, "Запрос в отдел", f"{r.kind_label}: {r.subject}", _lines(r),
                  r.requester_id, "department_request", r.id) for r in rows]


SOURCE = TimelineSource("request", "Запросы в отделы", requests)
