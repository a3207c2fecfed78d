"""Workflow violations: refused attempts kept even though the attempt itself is rolled back.

A stage gate that refuses a deal, like the discount sign-off refusing a КП above the
approved discount, answers with an error, and the request's unit of work rolls back — with
everything written in it. So a refusal is noted in ``session.info`` (``note``) and written
when the session ends: with the commit if the caller carried on (a process step that turns
the refusal into an incident), or — after a rollback — on a connection of its own, once the
rolled-back transaction has let go of the database (SQLite has one writer).

``violation_list`` merges these rows with the discounts package's ``discount_violation``
(«КП без согласования») for the quality page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, event, insert, select
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column

from models.discounts.pages import violations as discount_violations
from models.identity.users import User
from models.platform.db import Base, UTCDateTime
from models.platform.permissions import Permission, require, scoped
from models.platform.roles import Role
from models.sales.deals import Deal

log = logging.getLogger(__name__)
_PENDING = "crm.quality.pending_violations"
KINDS = {"stage_gate": "Переход этапа отклонён проверкой данных",
         "offer_without_approval": "КП без согласования"}


class WorkflowViolation(Base):
    """One refused attempt: who tried what on which deal, and the reasons they were shown."""

    __tablename__ = "workflow_violation"
    __table_args__ = (Index("ix_workflow_violation_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deal.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    target: Mapped[str | None] = mapped_column(String(100))  # e.g. the stage that was refused
    message: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


def note(session: Session, *, kind: str, message: str, at: datetime, deal_id: int | None = None,
         user_id: int | None = None, target: str | None = None) -> None:
    """Keep a refused attempt whatever becomes of the current transaction."""
    session.info.setdefault(_PENDING, []).append({"kind": kind, "message": message[:4000], "at": at,
                                                  "deal_id": deal_id, "user_id": user_id, "target": target})


def _before_commit(session: Session) -> None:
    rows = session.info.pop(_PENDING, None)
    if rows:
        session.connection().execute(insert(WorkflowViolation), rows)


def _after_rollback(session: Session, previous: SessionTransaction) -> None:
    if previous.nested or previous.parent is not None:
        return
    rows = session.info.pop(_PENDING, None)
    if not rows:
        return
    bind: Any = session.get_bind()
    try:
        # its own transaction: the failed one is over
        with getattr(bind, "engine", bind).begin() as connection:
            connection.execute(insert(WorkflowViolation), rows)
    except Exception:  # never let the log hide the refusal it records (the database may be what failed)
        log.exception("workflow violations could not be kept: %s", rows)


def install() -> None:
    """Listen on every session (idempotent: the registry may be built more than once)."""
    if not event.contains(Session, "before_commit", _before_commit):
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)


@dataclass(frozen=True)
class ViolationRow:
    at: datetime
    kind: str
    deal_id: int | None
    deal: str
    user: str
    message: str


def violation_list(session: Session, user: User, limit: int = 200) -> list[ViolationRow]:
    """Refused attempts, newest first: stage gates and КП above the approved discount."""
    require(user, Permission.VIEW_REPORTS)
    names = {uid: name for uid, name in session.execute(select(User.id, User.full_name))}
    stmt = select(WorkflowViolation).order_by(WorkflowViolation.at.desc(), WorkflowViolation.id.desc())
    stmt = stmt.limit(limit)
    if Role(user.role) == Role.SENIOR_MANAGER:  # the team's deals, as the discounts' own list does
        stmt = stmt.where(WorkflowViolation.deal_id.in_(scoped(user, Deal, select(Deal.id))))
    own = list(session.scalars(stmt))
    offers = discount_violations(session, user, limit)
    deal_ids = {v.deal_id for v in own} | {v.deal_id for v in offers}
    found = session.execute(select(Deal.id, Deal.title).where(Deal.id.in_(deal_ids - {None})))
    titles = {i: t for i, t in found}
    rows = [ViolationRow(v.at, KINDS.get(v.kind, v.kind), v.deal_id, titles.get(v.deal_id or 0, "—"),
                         names.get(v.user_id or 0, "—"), v.message) for v in own]
    rows += [ViolationRow(v.at, KINDS["offer_without_approval"], v.deal_id, titles.get(v.deal_id or 0, "—"),
                          names.get(v.user_id or 0, "—"), v.message) for v in offers]
    return sorted(rows, key=lambda r: r.at, reverse=True)[:limit]
