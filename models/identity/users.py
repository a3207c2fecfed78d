"""Employees, departments, absences and personal API tokens.

A user has one role, one department, a manager they report to and a deputy who takes
their work while they are absent. Password and token secrets are stored only as hashes.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, Select, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, object_session, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from models.platform.db import Base, UTCDateTime, utcnow
from models.platform.roles import DEPARTMENTS, Role


class Department(Base):
    __tablename__ = "department"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    head_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", use_alter=True, ondelete="SET NULL")
    )

    def __repr__(self) -> str:
        return f"<Department {self.code}>"


class User(Base):
    __tablename__ = "user"
    __audited__ = True
    __audit_secret__ = frozenset({"password_hash"})

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(40), index=True)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", ondelete="SET NULL"), index=True
    )
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    deputy_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # «Постоянное замещение»: from this day (to ``until``, or for good) the deputy has the employee's
    # task rights even while the employee is present — an admin's explicit choice, never implied.
    standing_delegation_from: Mapped[date | None] = mapped_column(Date)
    standing_delegation_until: Mapped[date | None] = mapped_column(Date)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    department: Mapped[Department | None] = relationship(foreign_keys=[department_id])
    manager: Mapped[User | None] = relationship(remote_side=[id], foreign_keys=[manager_id])
    deputy: Mapped[User | None] = relationship(remote_side=[id], foreign_keys=[deputy_id])
    absences: Mapped[list[Absence]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Absence.starts_on"
    )

    # Flask-Login protocol, kept here so the web layer needs no wrapper class.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def set_password(self, password: str) -> None:
        """Hash and store ``password`` (scrypt through Werkzeug)."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def is_absent_on(self, day: date) -> bool:
        """True when an absence period covers ``day`` (both ends inclusive)."""
        return any(a.starts_on <= day <= a.ends_on for a in self.absences)

    def delegates_on(self, day: date) -> bool:
        """True when a standing delegation to the deputy covers ``day`` (both ends inclusive)."""
        start, end = self.standing_delegation_from, self.standing_delegation_until
        return start is not None and start <= day and (end is None or day <= end)

    def __repr__(self) -> str:
        return f"<User {self.login}>"


class Absence(Base):
    """A period (vacation, sick leave, business trip) when work goes to the deputy."""

    __tablename__ = "absence"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="Отпуск")

    user: Mapped[User] = relationship(back_populates="absences")


class ApiToken(Base):
    """A personal token for ``/api/v1``; only its SHA-256 hash is kept.

    Tokens are long random strings, so a fast hash is enough (unlike passwords) and lets
    each API call find its token by an indexed lookup.
    """

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class LoginThrottle(Base):
    """Consecutive failed logins per key (login name or client address)."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(session: Session, user: User, name: str) -> str:
    """Create a token for ``user`` and return its clear text, shown to the user once."""
    prefix = secrets.token_hex(4)
    token = f"crm_{prefix}_{secrets.token_urlsafe(32)}"
    session.add(ApiToken(user=user, name=name, token_hash=hash_token(token), prefix=prefix))
    return token


def user_for_token(session: Session, token: str, now: datetime) -> User | None:
    """The active user owning a valid, unrevoked ``token``; records its last use."""
    row = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))
    )
    if row is None or not row.user.is_active:
        return None
    row.last_used_at = now
    return row.user


def ensure_departments(session: Session) -> dict[str, Department]:
    """Create the standard departments that are missing; return all by code."""
    existing = {d.code: d for d in session.scalars(select(Department))}
    for code, name in DEPARTMENTS.items():
        if code not in existing:
            existing[code] = Department(code=code, name=name)
            session.add(existing[code])
    session.flush()
    return existing


def find_user(session: Session, login: str) -> User | None:
    return session.scalar(select(User).where(User.login == login))


def require_user(session: Session, login: str) -> User:
    """The user with ``login`` for callers that rely on it existing (demo seeds); ``LookupError`` if not."""
    user = find_user(session, login)
    if user is None:
        raise LookupError(f"нет пользователя «{login}»")
    return user


def department_member_ids(user: User) -> Select | list[int]:
    """Ids of the user's department, listed when the user's session can read them.

    A department has tens of people; a literal list lets the query planner see how many
    clients the scope really covers (a subquery made PostgreSQL sort every client of the
    department for a one-page list).
    """
    stmt = select(User.id).where(User.department_id == user.department_id)
    session = object_session(user)
    return list(session.scalars(stmt)) if session is not None else stmt
