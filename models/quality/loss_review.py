"""The loss-reason review: a senior manager checks that the team's deals were lost for the reason given.

The queue lists the lost deals of the reviewer's team (the owners who report to them, and
their own; heads and admins see every team) with the reason and the comment, oldest loss
first, until each has a verdict: «обоснованно» closes it, «вернуть в работу» opens a task for
the owner with the reviewer's note (the note is required then: the owner must know what to
do). One review per deal; the history stays on the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.identity.users import User
from models.platform.db import Base, UTCDateTime
from models.platform.errors import NotFound
from models.platform.permissions import AccessDenied
from models.platform.roles import Role
from models.sales.deals import Deal, DealStatus
from models.sales.funnels import LossReason
from models.tasks.adhoc import TaskInput, create_task

VERDICTS = {"justified": "Обоснованно", "reopen": "Вернуть в работу"}
REVIEWERS = {Role.SENIOR_MANAGER.value, Role.HEAD.value, Role.ADMIN.value}
GRACE = timedelta(hours=4)


class LossReview(Base):
    """The verdict on one lost deal's reason."""

    __tablename__ = "loss_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deal.id", ondelete="CASCADE"), unique=True)
    verdict: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="SET NULL"))


class ReviewError(Exception):
    def __init__(self, fields: dict[str, list[str]]) -> None:
        self.fields = fields
        self.message = "; ".join(m for ms in fields.values() for m in ms)
        super().__init__(self.message)


@dataclass(frozen=True)
class LossRow:
    deal: Deal
    owner: str
    reason: str
    review: LossReview | None


def _require_reviewer(user: User) -> None:
    if user.role not in REVIEWERS:
        raise AccessDenied("Причины проигрыша проверяют старшие менеджеры и руководители")


def _team(user: User) -> Any:
    """The owners whose lost deals ``user`` reviews (None: everybody)."""
    if user.role in (Role.HEAD.value, Role.ADMIN.value):
        return None
    return select(User.id).where((User.manager_id == user.id) | (User.id == user.id))


def _rows(session: Session, user: User, reviewed: bool, limit: int) -> list[LossRow]:
    stmt = (select(Deal, LossReview, LossReason.name, User.full_name)
            .outerjoin(LossReview, LossReview.deal_id == Deal.id)
            .outerjoin(LossReason, LossReason.id == Deal.loss_reason_id)
            .outerjoin(User, User.id == Deal.owner_id)
            .where(Deal.status == DealStatus.LOST))
    team = _team(user)
    if team is not None:
        stmt = stmt.where(Deal.owner_id.in_(team))
    if reviewed:
        stmt = stmt.where(LossReview.id.is_not(None)).order_by(LossReview.reviewed_at.desc())
    else:
        stmt = stmt.where(LossReview.id.is_(None)).order_by(Deal.closed_at, Deal.id)
    return [LossRow(deal, owner or "—", reason or "не указана", review)
            for deal, review, reason, owner in session.execute(stmt.limit(limit))]


def review_queue(session: Session, user: User, limit: int = 200) -> tuple[list[LossRow], list[LossRow]]:
    """(lost deals waiting for a verdict, the latest verdicts)."""
    _require_reviewer(user)
    return _rows(session, user, False, limit), _rows(session, user, True, 50)


def review_loss(session: Session, user: User, deal_id: int, form: Any, now: datetime) -> LossReview:
    """Record the verdict; «вернуть в работу» sets the owner a task with the note."""
    _require_reviewer(user)
    deal = session.get(Deal, deal_id)
    team = _team(user)
    if deal is None or deal.status != DealStatus.LOST or (
            team is not None and deal.owner_id not in set(session.scalars(team))):
        raise NotFound("Проигранная сделка вашей команды не найдена")
    verdict = str(form.get("verdict") or "")
    note = str(form.get("note") or "").strip()
    errors: dict[str, list[str]] = {}
    if verdict not in VERDICTS:
        errors["verdict"] = ["Выберите: «Обоснованно» или «Вернуть в работу»"]
    if verdict == "reopen" and not note:
        errors["note"] = ["Напишите менеджеру, что сделать со сделкой"]
    if len(note) > 4000:
        errors["note"] = ["Не длиннее 4000 символов"]
    if session.scalar(select(LossReview.id).where(LossReview.deal_id == deal_id)):
        errors["verdict"] = ["Эта сделка уже проверена"]
    if errors:
        raise ReviewError(errors)
    review = LossReview(deal_id=deal_id, verdict=verdict, note=note or None, reviewer_id=user.id,
                        reviewed_at=now)
    if verdict == "reopen" and deal.owner_id is not None:
        task = create_task(session, TaskInput(
            title=f"Вернуть в работу: {deal.title}"[:500], assignee_id=deal.owner_id, business_type="deal",
            business_id=deal.id, due_at=now + timedelta(days=3),
            description=f"Причина проигрыша признана необоснованной.\n{user.full_name}: {note}"),
            user, now, GRACE)
        review.task_id = task.id
    session.add(review)
    session.flush()
    return review
