"""The history shown on a client's card, read from the field-level audit log.

A card's history is the audit trail of the client itself, of every client merged into it
(their rows keep their own ids: history is never rewritten), and of every contact that
ever belonged to it (``client_history_ref``), newest first, with who, when, which field,
old → new and the reason (bulk update, import, merge). Technical columns (the derived
search name, timestamps) are left out; values are shown the way people read them. A card
created by the import has one log row holding all its values (``VALUES_FIELD``); it is
unfolded here into one entry per field, like the rows of a card created by hand.

The card shows the newest ``CARD_ROWS`` log rows and links to the whole history, read in
keyset pages of ``PAGE_ROWS`` rows (``before``: the log id the next, older page starts below).
A client edited for years has thousands of rows; the card stays as fast on its thousandth
change as on its first, like the deal card's timeline.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from models.clients.cards import (
    CLIENT_KIND_LABELS,
    CLIENT_STATUSES,
    REGISTRY_STATUS_LABELS,
    Client,
    ClientKind,
)
from models.clients.index import HistoryRef
from models.clients.merge import ClientMerge
from models.clients.validation import FIELD_LABELS
from models.identity.users import User
from models.platform.audit import VALUES_FIELD, AuditLog, field_values

CARD_ROWS = 30  # log rows on the card (an imported card's one row unfolds into a line per field)
PAGE_ROWS = 200  # log rows per page of the whole history
HIDDEN_FIELDS = frozenset({"id", "search_name", "created_at", "updated_at"})
# An imported card's values row after the personal-data erasure masked it stays one entry.
LABELS = {**FIELD_LABELS, VALUES_FIELD: "Поля карточки"}
ACTION_LABELS = {"create": "создание", "update": "изменение", "delete": "удаление"}


@dataclass
class HistoryEntry:
    at: datetime
    user: str
    entity: str
    action: str
    field: str
    old: str
    new: str
    reason: str | None


@dataclass
class HistoryPage:
    """One page of a card's history, newest first; ``next_before``: the cursor of the next, older
    page (None: this page holds the oldest change)."""

    entries: list[HistoryEntry]
    next_before: int | None


def merged_ids(session: Session, client_id: int) -> list[int]:
    """Ids of clients merged into this one (directly or through earlier merges)."""
    return list(session.scalars(select(ClientMerge.merged_id).where(ClientMerge.survivor_id == client_id)))


def _show(field: str, value: str | None, users: dict[str, str]) -> str:
    if value is None or value == "":
        return "—"
    if field == "owner_id":
        return users.get(value, f"#{value}")
    if field == "kind":
        try:
            return CLIENT_KIND_LABELS[ClientKind(value)]
        except ValueError:
            return value
    if field == "status":
        return CLIENT_STATUSES.get(value, value)
    if field == "registry_status":
        return REGISTRY_STATUS_LABELS.get(value, value)
    if value in ("true", "false") and field == "is_decision_maker":
        return "да" if value == "true" else "нет"
    if value.startswith("["):
        try:
            return ", ".join(str(v) for v in json.loads(value)) or "—"
        except ValueError:
            return value
    return value


def _owner_names(session: Session, unfolded: list) -> dict[str, str]:
    """Names of the owners the history's «owner» changes name, by id as text: only those (every card
    read every user of the company as an entity for this, whether an owner ever changed or not)."""
    ids = {int(value) for _, _, (field, old, new) in unfolded if field == "owner_id"
           for value in (old, new) if value and value.isdigit()}
    if not ids:
        return {}
    return {str(user_id): name for user_id, name in
            session.execute(select(User.id, User.full_name).where(User.id.in_(sorted(ids))))}


def client_history(session: Session, client: Client, limit: int = CARD_ROWS, *, before: int | None = None,
                   merges: list[ClientMerge] | None = None) -> HistoryPage:
    """Changes of the client, of clients merged into it and of its contacts, newest first: the
    ``limit`` newest log rows below the log id ``before`` (all of them if None).

    ``merges`` (``merges_into`` of the client) spares the read of the merged ids when the caller
    has the merge records anyway, as the card has."""
    merged = [m.merged_id for m in merges] if merges is not None else merged_ids(session, client.id)
    client_ids = [str(client.id), *(str(i) for i in merged)]
    contact_ids = set(session.scalars(select(HistoryRef.entity_id).where(
        HistoryRef.client_id == client.id, HistoryRef.entity_type == "contact")))
    contact_ids |= {str(c.id) for c in client.contacts}
    condition = and_(AuditLog.entity_type == "client", AuditLog.entity_id.in_(client_ids))
    if contact_ids:
        condition = or_(condition, and_(AuditLog.entity_type == "contact",
                                        AuditLog.entity_id.in_(sorted(contact_ids))))
    if before is not None:
        condition = and_(condition, AuditLog.id < before)
    rows = session.execute(
        select(AuditLog, User.full_name).outerjoin(User, User.id == AuditLog.user_id)
        .where(condition, AuditLog.field.not_in(HIDDEN_FIELDS))
        .order_by(AuditLog.id.desc()).limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    # Newest first: a row's own fields are listed last-column-first, as per-column rows are.
    unfolded = [(log, user_name, triple) for log, user_name in rows
                for triple in reversed(field_values(log.field, log.old_value, log.new_value))
                if triple[0] not in HIDDEN_FIELDS]
    users = _owner_names(session, unfolded)
    contact_names = {str(c.id): c.full_name for c in client.contacts}
    for log, _, (field, old, new) in unfolded:
        if log.entity_type == "contact" and field == "full_name":
            contact_names.setdefault(log.entity_id, new or old or "")
    entries = []
    for log, user_name, (field, old, new) in unfolded:
        if log.entity_type == "client":
            entity = "Клиент" if log.entity_id == str(client.id) else f"Клиент #{log.entity_id} (объединён)"
        else:
            entity = f"Контакт «{contact_names.get(log.entity_id, '#' + log.entity_id)}»"
        entries.append(HistoryEntry(
            at=log.at, user=user_name or "система", entity=entity,
            action=ACTION_LABELS.get(log.action, log.action),
            field=LABELS.get(field, field),
            old=_show(field, old, users), new=_show(field, new, users),
            reason=log.reason,
        ))
    return HistoryPage(entries, rows[-1][0].id if more else None)


def merges_into(session: Session, client_id: int) -> list[ClientMerge]:
    """Merge records of clients merged into this one, newest first."""
    return list(session.scalars(select(ClientMerge).where(ClientMerge.survivor_id == client_id)
                                .order_by(ClientMerge.id.desc())))
