"""The texts the search package indexes itself: activities, clients' notes, ad-hoc tasks.

Comments (with their «решение»/«пример» marks) and request threads are declared by
``models.collaboration``; documents and contracts will declare theirs in their packages.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.tables import HumanTask
from models.clients.cards import Client
from models.platform.registry import Registry
from models.sales.activities import Activity
from models.sales.deals import Deal
from models.search.sources import IndexedText, TextSource, declare_guard, declare_source
from models.tasks.adhoc import Task


def client_owner(session: Session, client_id: int | None) -> int | None:
    if client_id is None:
        return None
    return session.scalar(select(Client.owner_id).where(Client.id == client_id))


def subject_of(session: Session, business_type: str | None,
               business_id: int | None) -> tuple[int | None, int | None]:
    """(client id, deal id) of a business object named by type and id (clients and deals; others none)."""
    if business_id is None:
        return None, None
    if business_type == "client":
        return business_id, None
    if business_type == "deal":
        return session.scalar(select(Deal.client_id).where(Deal.id == business_id)), business_id
    return None, None


def _activity(session: Session, row: Activity) -> IndexedText | None:
    body = "\n".join(part for part in (row.subject, row.outcome) if part)
    object_type, object_id = ("deal", row.deal_id) if row.deal_id else ("client", row.client_id)
    if object_id is None:
        return None
    return IndexedText(object_type, object_id, body, client_id=row.client_id, deal_id=row.deal_id,
                       author_id=row.user_id, owner_id=client_owner(session, row.client_id),
                       tag=row.kind, created_at=row.happened_at)


def _client_note(session: Session, row: Client) -> IndexedText | None:
    if not (row.notes or "").strip():
        return None
    return IndexedText("client", row.id, row.notes or "", title=row.full_name, client_id=row.id,
                       owner_id=row.owner_id, created_at=row.updated_at)


def _task(session: Session, row: Task) -> IndexedText | None:
    client_id, deal_id = subject_of(session, row.business_type, row.business_id)
    return IndexedText("task", row.id, row.description or "", title=row.title, client_id=client_id,
                       deal_id=deal_id, author_id=row.creator_id, owner_id=client_owner(session, client_id),
                       created_at=row.created_at)


GUARDS: dict[str, Any] = {"client": Client, "deal": Deal, "task": Task, "human_task": HumanTask}


def register(registry: Registry) -> None:
    declare_source(registry, TextSource("activity", "Активность", Activity, _activity,
                                        frozenset({"subject", "outcome", "kind", "client_id", "deal_id"})))
    declare_source(registry, TextSource("client_note", "Заметка о клиенте", Client, _client_note,
                                        frozenset({"notes", "full_name"})))
    declare_source(registry, TextSource("task", "Задача", Task, _task,
                                        frozenset({"title", "description", "business_type", "business_id"})))
    for object_type, model in GUARDS.items():
        declare_guard(registry, object_type, model)
