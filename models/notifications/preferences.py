"""Each user's choice of channels per kind of notification.

A row (user, kind, channel) stores an explicit choice; without one the kind's default holds
(``Kind.by_default``), so a new kind or a new channel needs no data migration and users who
never opened the page get what the team decided is sensible. The preferences page always
stores every (kind, channel) pair it shows, so a choice once made is never overridden by
a later change of defaults.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache

from sqlalchemy import Boolean, ForeignKey, Integer, Select, String, bindparam, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.notifications.channels import CHANNEL_CODES, CHANNELS, Channel
from models.notifications.kinds import KINDS
from models.platform.db import Base
from models.platform.kept import kept, watch


class NotificationPreference(Base):
    """Whether ``user`` gets notifications of ``kind`` through ``channel`` (absent row: the default)."""

    __tablename__ = "notification_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


watch(NotificationPreference)


@cache
def _stored_choices() -> Select[str, str, bool]:
    """A user's stored choices (``user_id`` bound), built once: every notification asks it."""
    return select(NotificationPreference.kind, NotificationPreference.channel,
                  NotificationPreference.enabled).where(
        NotificationPreference.user_id == bindparam("user_id", type_=Integer))


def _stored(session: Session, user_id: int) -> dict[tuple[str, str], bool]:
    """(kind, channel) -> enabled, for the user's explicit choices only."""
    return {(kind, channel): enabled
            for kind, channel, enabled in session.execute(_stored_choices(), {"user_id": user_id})}


def preferences(session: Session, user_id: int) -> dict[str, dict[str, bool]]:
    """Kind -> channel code -> wanted, defaults filled in (every kind, every channel)."""
    stored = _stored(session, user_id)
    return {
        kind: {ch.code: stored.get((kind, ch.code), ch.code in spec.by_default) for ch in CHANNELS}
        for kind, spec in KINDS.items()
    }


def _kept_choices(session: Session, user_id: int) -> dict[tuple[str, str], bool]:
    """The user's stored choices, kept between requests: every notification asks, the user rarely changes
    them (the preferences page reads ``preferences``, always from the database)."""
    return kept(session, NotificationPreference.__tablename__, user_id, lambda: _stored(session, user_id))


def channels_for(session: Session, user_id: int, kind: str) -> list[Channel]:
    """The outside channels ``user_id`` wants notifications of ``kind`` by."""
    spec = KINDS.get(kind)
    if spec is None:
        return []
    stored = _kept_choices(session, user_id)
    return [ch for ch in CHANNELS if stored.get((kind, ch.code), ch.code in spec.by_default)]


def set_preferences(session: Session, user_id: int, wanted: Mapping[str, Iterable[str]]) -> None:
    """Store the user's choice: for each channel code in ``wanted``, the kinds it should carry.

    Channels missing from ``wanted`` keep what was stored; unknown kinds and channels are ignored.
    """
    chosen = {code: set(kinds) for code, kinds in wanted.items() if code in CHANNEL_CODES}
    stored = select(NotificationPreference).where(NotificationPreference.user_id == user_id)
    existing = {(p.kind, p.channel): p for p in session.scalars(stored)}
    for code, kinds in chosen.items():
        for kind in KINDS:
            row = existing.get((kind, code))
            if row is None:
                row = NotificationPreference(user_id=user_id, kind=kind, channel=code)
            row.enabled = kind in kinds
            session.add(row)
    session.flush()


def email_preferences(session: Session, user_id: int) -> dict[str, bool]:
    """Kind -> wants e-mail (the e-mail column of ``preferences``)."""
    return {kind: channels["email"] for kind, channels in preferences(session, user_id).items()}


def set_email_preferences(session: Session, user_id: int, wanted: set[str]) -> None:
    """E-mail for the kinds in ``wanted``, in-app only for the rest; other channels untouched."""
    set_preferences(session, user_id, {"email": wanted})
