"""Which home a person gets: one function per role family, chosen by the user's role."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from engine.api import ProcessEngine
from models.home.health import admin_home
from models.home.knowledge import analyst_home, product_home
from models.home.queues import backoffice_home, lawyer_home, underwriter_home
from models.home.sales import manager_day
from models.home.sections import Home
from models.home.team import team_home
from models.identity.users import User
from models.platform.roles import Role

Builder = Callable[[Session, User, datetime], Home]

HOMES: dict[Role, Builder] = {
    Role.MANAGER: manager_day,
    Role.SENIOR_MANAGER: team_home,
    Role.HEAD: team_home,
    Role.BACK_OFFICE: backoffice_home,
    Role.LAWYER: lawyer_home,
    Role.UNDERWRITER: underwriter_home,
    Role.PRODUCT_SPECIALIST: product_home,
    Role.ADMIN: admin_home,
}


def home_for(session: Session, engine: ProcessEngine, user: User, now: datetime) -> Home:
    """The home screen of ``user``'s role (a manager's day for a role without one of its own)."""
    role = Role(user.role)
    if role is Role.ANALYST:
        return analyst_home(session, engine, user, now)
    return HOMES.get(role, manager_day)(session, user, now)
