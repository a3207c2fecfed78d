"""What the client pages read: the card with everything around it, the list page, owner choices.

Each function returns what one page needs in one call, with the user's access applied, so
the pages hold no queries. Deals on the card come from ``models.sales.queries`` (sales
depends on clients, not the reverse).

Other pages read clients here too: the client select boxes of the inbox and of process forms
(``client_choices``), the check that a picked client exists, the count on the start page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from models.clients.access import assignable_owners, get_client
from models.clients.cards import Client, ClientKind
from models.clients.duplicates import NAME_REASON, DuplicateMatch, dismissed, duplicate_summary, duplicates_of
from models.clients.history import PAGE_ROWS, HistoryPage, client_history, merges_into
from models.clients.merge import ClientMerge
from models.clients.person_identity import person_hints
from models.clients.search import ClientFilter, Page, search_page
from models.identity.service import Colleague, active_users
from models.identity.users import User
from models.platform.permissions import Permission, can_access, has_permission, scoped
from models.privacy.access_log import log_access

CHOICE_LIMIT = 500  # a select box longer than this is unusable; the client search is for the rest


@dataclass
class ClientCard:
    """A client's card: the client, its likely duplicates, history, merges, whether the user edits it."""

    client: Client
    duplicates: list[dict[str, Any]]
    history: HistoryPage  # the newest changes; the rest on the history page
    merges: list[ClientMerge]
    can_edit: bool


def _with_person_hints(session: Session, client: Client) -> list[DuplicateMatch]:
    """Key and name matches, and for a person the multi-field hints with their reasons.

    A person's name alone is no hint (namesakes are common): for people the name-only matches
    of the card search give way to the multi-field score, which needs more than a name.
    """
    hints = person_hints(session, client)
    skip = dismissed(session, client.id) if hints else None  # read once for the matches and the hints
    matches = duplicates_of(session, client, dismissed_ids=skip)
    if client.kind == ClientKind.PERSON.value:
        for match in matches:
            match.reasons = [r for r in match.reasons if not r.startswith(NAME_REASON)]
        matches = [m for m in matches if m.reasons]
    known = {m.client.id: m for m in matches}
    for other, points, reasons in hints:
        if skip is not None and other.id in skip:
            continue
        why = [*reasons, f"сходство {points} баллов"]
        if other.id in known:
            known[other.id].reasons.extend(r for r in why if r not in known[other.id].reasons)
        else:
            matches.append(DuplicateMatch(other, why, min(points, 99)))
    return matches


# The card names the owner and lists the contacts (the history names them too): read with the client.
_CARD_LOADS = (joinedload(Client.owner), selectinload(Client.contacts))


def _opened(session: Session, user: User, client_id: int) -> Client:
    """The client ``user`` opened, card or history (``NotFound``/``AccessDenied`` as ``get_client``);
    a person's is written to the personal-data access log (152-ФЗ: who saw a person's data)."""
    client = get_client(session, user, client_id, options=_CARD_LOADS)
    if client.kind == ClientKind.PERSON.value:
        log_access(session, user.id, "client", client.id)
    return client


def client_card(session: Session, user: User, client_id: int) -> ClientCard:
    """The card ``user`` opened (``NotFound``/``AccessDenied`` as ``get_client``)."""
    client = _opened(session, user, client_id)
    merges = merges_into(session, client.id)
    return ClientCard(
        client=client,
        duplicates=[duplicate_summary(user, match) for match in _with_person_hints(session, client)],
        history=client_history(session, client, merges=merges),
        merges=merges,
        can_edit=can_access(user, client, "edit"),
    )


@dataclass
class ClientHistory:
    """The whole history of a card, one keyset page at a time."""

    client: Client
    page: HistoryPage


def client_history_page(session: Session, user: User, client_id: int, before: int | None) -> ClientHistory:
    """A page of the changes of a card ``user`` may read, older than the log id ``before``."""
    client = _opened(session, user, client_id)
    return ClientHistory(client, client_history(session, client, PAGE_ROWS, before=before))


def owner_choices(session: Session, user: User) -> list[Colleague]:
    """Employees ``user`` may make responsible for a client (the owner select box)."""
    return assignable_owners(user, active_users(session))


@dataclass
class ClientList:
    """One page of the client list and what its filters and bulk form offer the user."""

    page: Page
    users: list[Colleague]
    owners: list[Colleague]
    can_edit: bool
    can_import: bool


def client_list(session: Session, user: User, flt: ClientFilter, zone: ZoneInfo | None = None) -> ClientList:
    """The list page: clients ``user`` may see matching ``flt`` (one keyset page) and the choices."""
    users = active_users(session)
    return ClientList(
        page=search_page(session, user, flt, zone),
        users=users,
        owners=assignable_owners(user, users),
        can_edit=has_permission(user, Permission.EDIT_CLIENTS),
        can_import=has_permission(user, Permission.IMPORT_CLIENTS),
    )


def client_choices(session: Session, user: User, limit: int = CHOICE_LIMIT) -> list[Client]:
    """Clients ``user`` may see, by name: the choices of a client select box (the first ``limit``).

    Ordered by the indexed search name (``ix_client_owner_name`` for a manager's own clients,
    ``ix_client_name_sort`` for everyone's), so the first ``limit`` are an index range, not a sort
    of the whole list. Pages with a single client to pick use a typeahead instead.
    """
    stmt = scoped(user, Client, select(Client).order_by(Client.search_name, Client.id)).limit(limit)
    return list(session.scalars(stmt))


def client_label(session: Session, user: User, client_id: int) -> str | None:
    """The name of a client ``user`` may see (what a typeahead picker shows for a chosen id), else None.

    Pickers never list clients up front; they show the chosen one's name and suggest others as
    the user types (``/clients/search.json``), so a page costs one lookup, not a sorted list.
    """
    stmt = scoped(user, Client, select(Client).where(Client.id == client_id))
    found = session.scalars(stmt).first()
    return found.display_name if found is not None else None


def client_exists(session: Session, client_id: int) -> bool:
    """Whether a client with this id exists (a picked client is checked before a form is accepted)."""
    return session.get(Client, client_id) is not None


def visible_client_count(session: Session, user: User) -> int:
    """How many clients ``user`` may see (the start page's overview)."""
    return session.scalar(scoped(user, Client, select(func.count(Client.id)))) or 0
