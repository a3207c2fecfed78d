"""Discussions on any record: one comment implementation (``models.tasks.comments``) with marks.

A comment on a client, deal, task, process task, document or request (``@login`` mentions
notify colleagues) can be marked «решение» (a decision: listed on the card) or «пример» (a
good example — objection handling, say — with a tag and a product, collected on the
product specialist's page). Writing needs the right to read the record commented on;
marking is for the comment's author, senior managers, the head and product specialists.
Every comment is a searchable text (``comment`` source) tagged with its mark.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from engine.tables import HumanTask
from models.identity.users import User
from models.platform.db import Base, UTCDateTime, utcnow
from models.platform.roles import Role
from models.search.builtin import client_owner, subject_of
from models.search.sources import IndexedText
from models.tasks.adhoc import Task
from models.tasks.comments import Comment

MARKS = {"decision": "Решение", "example": "Пример"}
MARKERS = frozenset({Role.SENIOR_MANAGER, Role.HEAD, Role.PRODUCT_SPECIALIST, Role.ADMIN})


class CommentMark(Base):
    """A comment marked as a decision or a good example (one mark per comment)."""

    __tablename__ = "comment_mark"
    __table_args__ = (Index("ix_comment_mark_kind", "mark", "product", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), unique=True)
    mark: Mapped[str] = mapped_column(String(20))
    tag: Mapped[str | None] = mapped_column(String(80))
    product: Mapped[str | None] = mapped_column(String(40))
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    comment: Mapped[Comment] = relationship()

    @property
    def label(self) -> str:
        return MARKS.get(self.mark, self.mark)


def may_mark(user: User, comment: Comment) -> bool:
    return comment.author_id == user.id or Role(user.role) in MARKERS


def comment_subject(session: Session, object_type: str, object_id: int) -> tuple[int | None, int | None]:
    """(client id, deal id) a comment's record is about, through tasks and requests to their object."""
    if object_type in ("client", "deal"):
        return subject_of(session, object_type, object_id)
    if object_type == "human_task":
        task = session.get(HumanTask, object_id)
        return subject_of(session, task.business_type, task.business_id) if task else (None, None)
    if object_type == "task":
        adhoc = session.get(Task, object_id)
        return subject_of(session, adhoc.business_type, adhoc.business_id) if adhoc else (None, None)
    if object_type == "department_request":
        from models.collaboration.requests import DepartmentRequest

        request = session.get(DepartmentRequest, object_id)
        return (request.client_id, request.deal_id) if request else (None, None)
    return None, None


def comment_text(session: Session, comment: Comment) -> IndexedText:
    """The ``comment`` search source: the text, its record, its client and deal, its mark as the tag."""
    mark = session.scalar(select(CommentMark).where(CommentMark.comment_id == comment.id)) \
        if comment.id is not None else None
    client_id, deal_id = comment_subject(session, comment.object_type, comment.object_id)
    tag = (mark.tag or mark.label) if mark else None
    return IndexedText(comment.object_type, comment.object_id, comment.body, client_id=client_id,
                       deal_id=deal_id, author_id=comment.author_id,
                       owner_id=client_owner(session, client_id),
                       tag=tag, product=mark.product if mark else None, created_at=comment.created_at)
