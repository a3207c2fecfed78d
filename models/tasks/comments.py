"""Comments on any object (tasks, process tasks, clients, deals) with @mentions.

A comment names its object by ``object_type``/``object_id`` so every later feature can
reuse it. ``@login`` in the text mentions a colleague: each mentioned active user gets one
``mention`` notification (in-app and, if they chose so, by e-mail).
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.identity.users import User
from models.notifications.service import notify
from models.platform.db import Base, UTCDateTime, utcnow

OBJECT_TYPES = {"task": "задаче", "human_task": "задаче процесса", "client": "клиенту", "deal": "сделке",
                "document": "документу", "department_request": "запросу в отдел"}
MENTION_RE = re.compile(r"(?<![\w.])@([A-Za-z0-9_.\-]{2,80})")
MAX_LENGTH = 5000


class Comment(Base):
    __tablename__ = "comment"
    __table_args__ = (Index("ix_comment_object", "object_type", "object_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    mentions: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()


class CommentError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.fields = {"body": [message]}


def mentioned_users(session: Session, text: str) -> list[User]:
    logins = {m.lower().rstrip(".") for m in MENTION_RE.findall(text)}
    if not logins:
        return []
    return list(
        session.scalars(
            select(User).where(User.login.in_(logins), User.is_active.is_(True)).order_by(User.id)
        )
    )


def add_comment(
    session: Session,
    object_type: str,
    object_id: int,
    author: User,
    body: str,
    now: datetime,
    title: str = "",
) -> Comment:
    """Store a comment and notify everyone it mentions (except the author)."""
    text = (body or "").strip()
    if object_type not in OBJECT_TYPES:
        raise CommentError("Комментировать можно задачи, клиентов, сделки, документы и запросы")
    if not text:
        raise CommentError("Комментарий не может быть пустым")
    if len(text) > MAX_LENGTH:
        raise CommentError(f"Комментарий не длиннее {MAX_LENGTH} символов")
    users = mentioned_users(session, text)
    comment = Comment(
        object_type=object_type,
        object_id=object_id,
        author_id=author.id,
        body=text,
        mentions=[u.login for u in users],
        created_at=now,
    )
    session.add(comment)
    session.flush()
    where = f"«{title}»" if title else f"{OBJECT_TYPES[object_type]} №{object_id}"
    notify(
        session,
        [user.id for user in users if user.id != author.id],
        "mention",
        f"{author.full_name} упомянул(а) вас: {where}",
        text,
        now,
        object_type=object_type,
        object_id=object_id,
        dedupe_key=f"mention:{comment.id}",
    )
    return comment


def comments_for(session: Session, object_type: str, object_id: int) -> list[Comment]:
    return list(
        session.scalars(
            select(Comment)
            .where(Comment.object_type == object_type, Comment.object_id == object_id)
            .order_by(Comment.id)
        )
    )
