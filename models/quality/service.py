"""What the quality pages and the deal flow call: the stage gate, rules admin, the dashboard, the audit op.

- ``stage_gate`` implements ``sales.stage_gate``: the messages of the target stage's rules
  that the deal (and its client) fail;
- ``add_rule`` / ``toggle_rule``: admins configure rules (Russian messages for bad input);
- ``dashboard``: completeness per owner and per team now, the trend from the audit snapshots,
  open issues and the history of fixes;
- ``audit_operation``: ``quality.audit`` for the nightly timer-start process.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.operations import OperationContext
from models.clients.cards import Client
from models.identity.users import Department, User
from models.platform.permissions import Permission, require
from models.quality import violations
from models.quality.audit import QualityIssue, QualitySnapshot, run_audit
from models.quality.checks import deal_problems
from models.quality.rules import CHECKS, RECORDS, QualityRule, ensure_default_rules
from models.sales.deals import Deal


def stage_gate(session: Session, deal: Deal, target_stage: str, *, user_id: int | None = None,
               now: datetime | None = None) -> list[str]:
    """The failing rules of the target stage; a refusal is kept in the violations list."""
    reasons = [p.message for p in deal_problems(session, deal, entering=target_stage)]
    if reasons and now is not None:
        stage = deal.funnel.stage(target_stage)
        violations.note(session, kind="stage_gate", deal_id=deal.id, user_id=user_id, at=now,
                        target=stage.name if stage else target_stage, message="; ".join(reasons))
    return reasons


class RuleError(Exception):
    def __init__(self, fields: dict[str, list[str]]) -> None:
        self.fields = fields
        self.message = "; ".join(m for ms in fields.values() for m in ms)
        super().__init__(self.message)


def add_rule(session: Session, user: User, form: Mapping[str, Any]) -> QualityRule:
    require(user, Permission.MANAGE_USERS)
    errors: dict[str, list[str]] = {}
    record, check = str(form.get("record") or ""), str(form.get("check") or "")
    field = str(form.get("field") or "").strip()
    message = str(form.get("message") or "").strip()
    if record not in RECORDS:
        errors["record"] = ["Правило для клиента или сделки"]
    if check not in CHECKS:
        errors["check"] = ["Проверка: обязательное поле, формат или согласованность"]
    model: Any = {"client": Client, "deal": Deal}.get(record)
    if not field or (model is not None and field not in model.__table__.columns):
        errors["field"] = ["Укажите поле карточки (например inn, kpp, premium)"]
    if not message:
        errors["message"] = ["Напишите, что увидит менеджер"]
    params: dict[str, Any] = {}
    if check == "format":
        params["pattern"] = str(form.get("pattern") or "")
        if not params["pattern"]:
            errors["pattern"] = ["Для формата укажите регулярное выражение"]
        else:
            try:
                re.compile(params["pattern"])
            except re.error:
                errors["pattern"] = ["Неверное регулярное выражение"]
    if errors:
        raise RuleError(errors)
    rule = QualityRule(record=record, client_kind=str(form.get("client_kind") or "") or None,
                       stage_code=str(form.get("stage_code") or "") or None, check=check, field=field,
                       params=params, message=message[:300], created_by_id=user.id, is_active=True)
    session.add(rule)
    session.flush()
    return rule


def toggle_rule(session: Session, user: User, rule_id: int) -> QualityRule:
    require(user, Permission.MANAGE_USERS)
    rule = session.get(QualityRule, rule_id)
    if rule is None:
        from models.platform.errors import NotFound

        raise NotFound("Правило не найдено")
    rule.is_active = not rule.is_active
    return rule


def rules_page(session: Session, user: User, *, load_defaults: bool = False) -> list[QualityRule]:
    require(user, Permission.MANAGE_USERS)
    if load_defaults:
        ensure_default_rules(session)
    return list(session.scalars(select(QualityRule).order_by(QualityRule.record, QualityRule.id)))


@dataclass(frozen=True)
class OwnerRow:
    owner: str
    team: str
    records: int
    with_problems: int
    score: int


@dataclass(frozen=True)
class Dashboard:
    owners: list[OwnerRow]
    teams: dict[str, list[tuple[str, int]]]  # team -> [(day, score)]
    open_issues: list[QualityIssue]
    fixed: list[QualityIssue]


def dashboard(session: Session, user: User) -> Dashboard:
    """Completeness per owner (the latest audit), the trend per team, open issues and recent fixes."""
    require(user, Permission.VIEW_REPORTS)
    latest = session.scalar(select(func.max(QualitySnapshot.taken_at)))
    names = {uid: name for uid, name in session.execute(select(User.id, User.full_name))}
    teams = {did: name for did, name in session.execute(select(Department.id, Department.name))}
    owners = []
    if latest is not None:
        for snap in session.scalars(select(QualitySnapshot).where(QualitySnapshot.taken_at == latest)):
            owners.append(OwnerRow(names.get(snap.owner_id or 0, "без ответственного"),
                                   teams.get(snap.department_id or 0, "—"), snap.records, snap.with_problems,
                                   _score(snap.records, snap.with_problems)))
    trend: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for snap in session.scalars(select(QualitySnapshot).order_by(QualitySnapshot.taken_at).limit(20000)):
        cell = trend[teams.get(snap.department_id or 0, "—")][snap.taken_at.strftime("%d.%m.%Y")]
        cell[0] += snap.records
        cell[1] += snap.with_problems
    series = {team: [(day, _score(r, p)) for day, (r, p) in days.items()] for team, days in trend.items()}
    open_issues = list(session.scalars(select(QualityIssue).where(QualityIssue.fixed_at.is_(None))
                                       .order_by(QualityIssue.id.desc()).limit(200)))
    fixed = list(session.scalars(select(QualityIssue).where(QualityIssue.fixed_at.is_not(None))
                                 .order_by(QualityIssue.fixed_at.desc()).limit(100)))
    return Dashboard(sorted(owners, key=lambda o: o.score), series, open_issues, fixed)


def _score(records: int, with_problems: int) -> int:
    return 100 if records == 0 else round(100 * (records - with_problems) / records)


def audit_operation(context: OperationContext, reason: str) -> dict:
    """``quality.audit``: the nightly audit in the timer-start process (``reason``: for the log)."""
    result = run_audit(context.session, context.clock.now())
    return {"owners": result.owners_with_tasks, "created": result.tasks_created,
            "closed": result.tasks_closed,
            "open_issues": result.open_issues, "fixed": result.fixed_issues, "reason": reason}


def audit_now(session: Session, now: datetime) -> dict:
    """The same audit from the command line or a test."""
    result = run_audit(session, now)
    return result.__dict__
