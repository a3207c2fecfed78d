"""Who actually gets a piece of work: the deputy rule.

Work meant for an employee who is absent on the day goes to their deputy (and on down
the chain if the deputy is absent too); the original addressee is kept so the inbox
can show "instead of …". Used by process tasks, ad-hoc tasks and lead routing alike.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from models.identity.users import User

MAX_CHAIN = 5


def effective_assignee(session: Session, user_id: int | None, day: date) -> tuple[int | None, int | None]:
    """``(assignee_id, original_id)``: the person to get the work and, if different, who it was for."""
    if user_id is None:
        return None, None
    user = session.get(User, user_id)
    seen: set[int] = set()
    current = user
    while current is not None and current.id not in seen and len(seen) < MAX_CHAIN:
        seen.add(current.id)
        if current.is_active and not current.is_absent_on(day):
            return current.id, (user_id if current.id != user_id else None)
        current = current.deputy
    # Nobody in the chain is available: keep the original addressee (it still shows as overdue).
    return user_id, None
