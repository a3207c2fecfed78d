"""Linking work to a business object requires the right to read that object.

Tasks, comments and processes refer to an object by ``(business_type, business_id)``; the
object's model is the one whose table is named ``business_type`` among the models that
declare a record rule (``Registry.record_rule``). Linking to a record one may not read
would let anyone learn its name through the link (issue 14, defect 3), so a missing record
and a forbidden one answer alike.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from models.platform.permissions import Actor, can_access
from models.platform.registry import installed


def linked_model(business_type: str) -> type | None:
    """The model of ``business_type`` (its table name), among models with a record rule."""
    for model in installed().record_rules:
        if getattr(model, "__tablename__", None) == business_type:
            return model
    return None


def readable_link(session: Session, user: Actor | None, business_type: str, business_id: int) -> Any | None:
    """The linked record when ``user`` may read it, else None (unknown or forbidden alike)."""
    model = linked_model(business_type)
    if model is None:
        return None
    record = session.get(model, business_id)
    if record is None or user is None or not can_access(user, record, "view"):
        return None
    return record


def readable_label(session: Session, user: Actor | None, business_type: str | None,
                   business_id: object) -> str:
    """The name of a linked record for a form's typeahead box, or "" (none, unknown or not readable).

    A form that comes back with errors, or a link from a card (``?client=42``), shows the record
    by name; an id typed into the address bar names nothing the user may not read.
    """
    from models.platform.ids import parse_int
    from models.platform.labels import labels

    number = parse_int(business_id)
    if not business_type or number is None or readable_link(session, user, business_type, number) is None:
        return ""
    return labels(session, [(business_type, number)])[(business_type, number)]
