"""Who decides at each level of the authority matrix, and how the table's answer reads to people.

The DMN table (``processes/discount_authority.dmn``) says the level — senior manager, head
of the sales department, underwriting — and why. Here the level becomes a person:

- senior manager: the requester's own manager when that is a senior manager, else the
  first active senior manager of the requester's department;
- head: the first head up the requester's chain of managers, else any active head;
- underwriting: nobody in particular — the task waits in the underwriters' queue.

Work meant for an absent approver goes to their deputy (``models.identity.deputies``, the
same rule the engine's ``assignee`` applies). Nobody approves their own request: when the
level has nobody else (no senior manager in the department, or the deputy chain ends at
the requester), the request goes one level up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.discounts.requests import LEVEL_LABELS, LEVEL_NEEDS, Level, percent
from models.identity.deputies import effective_assignee
from models.identity.users import User
from models.platform.roles import Role

_PLACEHOLDER = re.compile(r"\{(discount|premium|loss_ratio|product)\}")


def money_text(value: Decimal | None) -> str:
    """«5 000 000 ₽», «1 200 000,50 ₽»."""
    if value is None:
        return "—"
    amount = Decimal(value).quantize(Decimal("0.01"))
    whole = f"{amount:,.2f}".replace(",", " ").replace(".", ",")
    return (whole[:-3] if whole.endswith(",00") else whole) + " ₽"


def explain(
    template: str, *, discount: Decimal, premium: Decimal, loss_ratio: Decimal | None, product: str
) -> str:
    """The table's ``reason`` with its {placeholders} filled (only these four names are replaced)."""
    values = {
        "discount": percent(discount),
        "premium": money_text(premium),
        "loss_ratio": percent(loss_ratio) if loss_ratio is not None else "—",
        "product": product,
    }
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template or "")


def route_text(level: str, reason: str) -> str:
    """«нужен руководитель отдела: скидка 15 % > 10 % лимита старшего менеджера»."""
    need = LEVEL_NEEDS.get(level, level)
    return f"{need}: {reason}" if reason else need


def next_level(level: str, to: str = "next") -> str:
    """One level up (``to="next"``), or straight to underwriting (``to="underwriting"``)."""
    if to == Level.UNDERWRITING or level not in Level.ORDER:
        return Level.UNDERWRITING
    index = Level.ORDER.index(level)
    return Level.ORDER[min(index + 1, len(Level.ORDER) - 1)]


def _senior_for(session: Session, requester: User) -> User | None:
    manager = requester.manager
    if manager is not None and manager.is_active and manager.role == Role.SENIOR_MANAGER:
        return manager
    if requester.department_id is None:
        return None
    return session.scalar(
        select(User)
        .where(
            User.role == Role.SENIOR_MANAGER.value,
            User.is_active.is_(True),
            User.department_id == requester.department_id,
            User.id != requester.id,
        )
        .order_by(User.id)
    )


def _head_for(session: Session, requester: User) -> User | None:
    seen: set[int] = set()
    current = requester.manager
    while current is not None and current.id not in seen:
        seen.add(current.id)
        if current.is_active and current.role == Role.HEAD and current.id != requester.id:
            return current
        current = current.manager
    return session.scalar(
        select(User)
        .where(User.role == Role.HEAD.value, User.is_active.is_(True), User.id != requester.id)
        .order_by(User.id)
    )


@dataclass(frozen=True)
class Approver:
    """Who decides: the level, the person it is meant for (None: the underwriters' queue), who gets it."""

    level: str
    meant_for: User | None
    assignee_id: int | None  # after the deputy rule
    bumped_from: str | None = None  # the level that had nobody but the requester

    @property
    def standing_in(self) -> bool:
        return self.meant_for is not None and self.assignee_id != self.meant_for.id


def find_approver(session: Session, level: str, requester: User | None, day: date) -> Approver:
    """The approver of ``level`` for ``requester``'s request, moving up while a level has nobody else."""
    start = level
    while level != Level.UNDERWRITING:
        person = None
        if requester is not None:
            person = (
                _senior_for(session, requester) if level == Level.SENIOR else _head_for(session, requester)
            )
        if person is not None:
            assignee, _original = effective_assignee(session, person.id, day)
            if requester is None or assignee != requester.id:
                return Approver(level, person, assignee, start if level != start else None)
        level = next_level(level)
    return Approver(Level.UNDERWRITING, None, None, start if start != Level.UNDERWRITING else None)


def underwriters(session: Session) -> list[int]:
    """Active underwriters: whom a request waiting in the underwriting queue is announced to."""
    return list(
        session.scalars(
            select(User.id)
            .where(User.role == Role.UNDERWRITER.value, User.is_active.is_(True))
            .order_by(User.id)
        )
    )


def level_label(level: str | None) -> str:
    return LEVEL_LABELS.get(level or "", "—")
