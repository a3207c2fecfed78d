"""Marking comments «решение» or «пример», the examples page, and the decisions of a card.

A mark is one row per comment (``CommentMark``); changing it re-indexes the comment for the
search (its tag and product become search filters). Marking needs the right to read the
record commented on and ``comments.may_mark``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.collaboration.comments import MARKS, CommentMark, may_mark
from models.identity.users import User
from models.platform.errors import NotFound
from models.platform.permissions import AccessDenied, can_access
from models.search.service import refresh
from models.search.sources import guards
from models.tasks.comments import Comment, CommentError


def readable(session: Session, user: User, comment: Comment) -> bool:
    model: Any = guards().get(comment.object_type)
    record = session.get(model, comment.object_id) if model is not None else None
    return record is not None and can_access(user, record, "view")


def mark_comment(session: Session, user: User, comment_id: int, form: Mapping[str, Any],
                 now: datetime) -> dict[str, str]:
    """Set (``mark`` = decision | example, ``tag``, ``product``) or clear (empty ``mark``) the mark."""
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise NotFound("Комментарий не найден")
    if not readable(session, user, comment) or not may_mark(user, comment):
        raise AccessDenied("Отмечать комментарий может его автор, старший менеджер, руководитель "
                           "или продуктолог")
    mark = str(form.get("mark") or "")
    tag = str(form.get("tag") or "").strip()[:80] or None
    product = str(form.get("product") or "").strip()[:40] or None
    existing = session.scalar(select(CommentMark).where(CommentMark.comment_id == comment.id))
    if mark and mark not in MARKS:
        raise CommentError("Отметка: «решение» или «пример»")
    if mark == "example" and not tag:
        raise CommentError("У примера должен быть тег, например «возражения»")
    if not mark:
        if existing is not None:
            session.delete(existing)
    elif existing is None:
        session.add(CommentMark(comment_id=comment.id, mark=mark, tag=tag, product=product,
                                marked_by_id=user.id,
                                marked_at=now))
    else:
        existing.mark, existing.tag, existing.product = mark, tag, product
        existing.marked_by_id, existing.marked_at = user.id, now
    session.flush()
    refresh(session, "comment", comment)
    return {k: v for k, v in (("tag", tag or ""), ("product", product or "")) if v}


@dataclass(frozen=True)
class Marked:
    comment: Comment
    mark: CommentMark


@dataclass(frozen=True)
class ExamplesPage:
    examples: list[Marked]
    tags: list[str]
    products: list[str]


def examples_page(session: Session, user: User, args: Mapping[str, Any], limit: int = 200) -> ExamplesPage:
    """Comments marked «пример» the user may read, by product and tag, newest first."""
    stmt = select(Comment, CommentMark).join(CommentMark, CommentMark.comment_id == Comment.id) \
        .where(CommentMark.mark == (args.get("mark") if args.get("mark") in MARKS else "example"))
    if args.get("tag"):
        stmt = stmt.where(CommentMark.tag == args["tag"])
    if args.get("product"):
        stmt = stmt.where(CommentMark.product == args["product"])
    rows = session.execute(stmt.order_by(CommentMark.marked_at.desc()).limit(limit)).all()
    shown = [Marked(c, m) for c, m in rows if readable(session, user, c)]
    tags = sorted(t for t in session.scalars(select(CommentMark.tag).distinct()) if t)
    products = sorted(p for p in session.scalars(select(CommentMark.product).distinct()) if p)
    return ExamplesPage(shown, tags, products)


def decisions_for(session: Session, object_type: str, object_id: int) -> list[Marked]:
    """The comments of a card marked «решение» (the card lists them)."""
    rows = session.execute(select(Comment, CommentMark).join(CommentMark,
                                                             CommentMark.comment_id == Comment.id)
                           .where(Comment.object_type == object_type, Comment.object_id == object_id,
                                  CommentMark.mark == "decision").order_by(Comment.id.desc()))
    return [Marked(c, m) for c, m in rows]
