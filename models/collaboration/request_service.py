"""Asking a department, the request's thread, its page, the task panel and the journal with SLA compliance.

``ask`` checks the kind, the right to read the client (and deal), the kind's form (its JSON
Schema, Russian messages per field), stores the request and starts
``department_request.bpmn`` on the client (or deal), so its steps show on the timeline.
A refused request raises ``RequestError`` (422) before anything is stored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from engine.api import ProcessEngine
from engine.forms import load_form, validate
from engine.tables import HumanTask, InstanceStatus, TaskStatus
from models.clients.access import get_client
from models.collaboration.request_access import get_request
from models.collaboration.requests import (
    KINDS,
    PROCESS,
    DepartmentRequest,
    RequestStatus,
    request_of_instance,
)
from models.identity.users import User
from models.platform.permissions import can_access, scoped
from models.sales.access import get_deal
from models.tasks.comments import Comment, add_comment, comments_for


class RequestError(Exception):
    def __init__(self, fields: dict[str, list[str]]) -> None:
        self.fields = fields
        self.message = "; ".join(m for ms in fields.values() for m in ms)
        super().__init__(self.message)


def kind_form(forms_dir: Path, kind: str) -> tuple[dict, dict]:
    """The JSON Schema and UI hints of the form a ``kind`` of request is asked with."""
    if kind not in KINDS:
        raise RequestError({"kind": ["Выберите вид запроса"]})
    return load_form(forms_dir, KINDS[kind].form), load_form(forms_dir, KINDS[kind].ui)


def _money(value: Any) -> str:
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    text = f"{amount:,.2f}".replace(",", " ").replace(".", ",")
    return (text[:-3] if text.endswith(",00") else text) + " ₽"


def readable_details(schema: dict, ui: dict, form: dict) -> dict[str, str]:
    """The kind's own answers as people read them: «Страховая сумма: 120 000 000 ₽», titles not keys."""
    props = schema.get("properties", {})
    shown: dict[str, str] = {}
    for name, value in form.items():
        if name in ("subject", "question") or value in (None, "", []):
            continue
        money = (ui.get(name) or {}).get("ui:widget") == "money"
        shown[props.get(name, {}).get("title", name)] = _money(value) if money else str(value)
    return shown


def ask(session: Session, engine: ProcessEngine, user: User, data: Mapping[str, Any], now: datetime,
        forms_dir: Path, field_errors: dict[str, list[str]] | None = None) -> DepartmentRequest:
    """Send a request of ``data["kind"]`` about ``data["client_id"]`` (and ``deal_id``) to its department."""
    kind = str(data.get("kind") or "")
    schema, ui = kind_form(forms_dir, kind)
    raw_client = data.get("client_id")
    if not str(raw_client or "").isdigit():
        raise RequestError({"client_id": ["Укажите клиента"]})
    client = get_client(session, user, int(str(raw_client)))
    deal = None
    if data.get("deal_id") not in (None, ""):
        if not str(data["deal_id"]).isdigit():
            raise RequestError({"deal_id": ["Сделка — номер"]})
        deal = get_deal(session, user, int(str(data["deal_id"])))
        if deal.client_id != client.id:
            raise RequestError({"deal_id": ["Сделка другого клиента"]})
    form = {k: v for k, v in dict(data.get("form") or {}).items()}
    errors = {**validate(schema, form), **(field_errors or {})}
    if errors:
        raise RequestError(errors)
    details = readable_details(schema, ui, form)
    spec = KINDS[kind]
    request = DepartmentRequest(kind=kind, role=spec.role, client_id=client.id,
                                deal_id=deal.id if deal else None,
                                requester_id=user.id, subject=form["subject"].strip(),
                                question=form["question"].strip(),
                                details=details, status=RequestStatus.OPEN, created_at=now)
    session.add(request)
    session.flush()
    instance = engine.start(
        PROCESS,
        {"request_id": request.id, "kind": kind, "requester_id": user.id, "requester": user.full_name,
         "subject": request.subject, "question": request.question, "client": client.display_name,
         "details_text": "; ".join(f"{k}: {v}" for k, v in details.items())},
        business_type="deal" if deal else "client", business_id=deal.id if deal else client.id,
        user_id=user.id, title=f"{spec.label}: {request.subject}",
    )
    request.instance_id = instance.id
    if instance.status == InstanceStatus.ERROR:
        raise RequestError({"_form": ["Запрос не отправлен: ошибка процесса, сообщите администратору"]})
    return request


def comment_on_request(session: Session, user: User, request_id: int, body: str, now: datetime) -> Comment:
    """A message in the request's thread (anyone who may read the request; @login mentions notify)."""
    request = get_request(session, user, request_id)
    return add_comment(session, "department_request", request.id, user, body, now,
                       title=f"Запрос №{request.id}: {request.subject}")


@dataclass(frozen=True)
class RequestView:
    request: DepartmentRequest
    thread: list[Comment]
    open_tasks: list[HumanTask]
    can_comment: bool


def request_view(session: Session, user: User, request_id: int) -> RequestView:
    request = get_request(session, user, request_id)
    tasks = list(session.scalars(select(HumanTask).where(HumanTask.instance_id == request.instance_id,
                                                         HumanTask.status == TaskStatus.OPEN))) \
        if request.instance_id else []
    return RequestView(request, comments_for(session, "department_request", request.id),
                       [t for t in tasks if can_access(user, t, "view")], True)


def task_panel(session: Session, user: User, row: HumanTask) -> RequestView | None:
    """Above every task of a request: the request, its form's answers and the thread."""
    request = request_of_instance(session, row.instance_id)
    if request is None:
        return None
    return RequestView(request, comments_for(session, "department_request", request.id), [], True)


@dataclass(frozen=True)
class TeamSla:
    team: str
    total: int
    answered: int
    in_sla: int
    breached: int
    open_late: int

    @property
    def share(self) -> str:
        return f"{round(100 * self.in_sla / self.answered)} %" if self.answered else "—"


@dataclass(frozen=True)
class Journal:
    requests: list[DepartmentRequest]
    sla: list[TeamSla]
    filters: dict[str, Any]


def journal(session: Session, user: User, args: Mapping[str, Any], now: datetime) -> Journal:
    """Requests the user may see (by client, kind, status), newest first, and SLA compliance per team."""
    stmt = scoped(user, DepartmentRequest)
    filters: dict[str, Any] = {}
    client = str(args.get("client") or "")
    if client.isdigit():
        filters["client"] = int(client)
        stmt = stmt.where(DepartmentRequest.client_id == int(client))
    if args.get("kind") in KINDS:
        filters["kind"] = args["kind"]
        stmt = stmt.where(DepartmentRequest.kind == args["kind"])
    if args.get("status") in (RequestStatus.OPEN, RequestStatus.ANSWERED, RequestStatus.CLOSED):
        filters["status"] = args["status"]
        stmt = stmt.where(DepartmentRequest.status == args["status"])
    # The client and who asked come with the requests: a row each would otherwise read them.
    rows = list(session.scalars(stmt.options(joinedload(DepartmentRequest.client),
                                             joinedload(DepartmentRequest.requester))
                                .order_by(DepartmentRequest.created_at.desc(), DepartmentRequest.id.desc())
                                .limit(200)))
    totals: Counter = Counter()
    for r in rows:
        team = r.team
        totals[(team, "total")] += 1
        if r.answered_at is not None:
            totals[(team, "answered")] += 1
            totals[(team, "in_sla")] += int(bool(r.in_sla))
        if r.breached_at is not None:
            totals[(team, "breached")] += 1
        if r.answered_at is None and r.due_at is not None and r.due_at < now:
            totals[(team, "open_late")] += 1
    teams = sorted({t for t, _ in totals})
    sla = [TeamSla(t, totals[(t, "total")], totals[(t, "answered")], totals[(t, "in_sla")],
                   totals[(t, "breached")], totals[(t, "open_late")]) for t in teams]
    return Journal(rows, sla, filters)


def requests_count(session: Session, client_id: int) -> int:
    return session.scalar(select(func.count()).select_from(DepartmentRequest)
                          .where(DepartmentRequest.client_id == client_id)) or 0
