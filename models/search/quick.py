"""The global search box (Ctrl+K): records by any identifier as you type, then the texts.

Each kind — clients, contacts, deals, leads, tasks, documents — is one small query that
starts from the rows ``user`` may read (``scoped``, the package's own scope rule; contacts
through their client), then matches what was typed: exact keys first (INN, OGRN, phone,
e-mail, a number such as «№ 123» or a document's number), else the name words. Each kind
answers at most ``per_kind`` rows, so one slow kind cannot flood the list. The second section
is the full-text search (``service.search``) over what people wrote, with its own rights.

Every match goes through an index, never a LIKE over the whole table: clients through the
client search, contacts through the trigram index (PostgreSQL) or the name tokens (SQLite),
titles of deals, leads, tasks and documents through ``models.platform.fragments`` (trigram
GIN, or FTS5 trigram tables that fold case for Cyrillic too: «ромашка» finds «ООО «Ромашка»»).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from models.clients.cards import Client, Contact
from models.clients.index import NameToken, uses_name_tokens
from models.clients.names import query_words
from models.clients.phones import display_phone, looks_like_phone, normalize_email, normalize_phone
from models.clients.search import like_fragment, search_condition, token_range
from models.documents.tables import Document
from models.identity.users import User
from models.platform.fragments import fragment_words, newest_ids
from models.platform.permissions import Permission, require, scoped
from models.sales.deals import Deal
from models.sales.leads import Lead
from models.search.filters import SearchError
from models.search.service import search
from models.tasks.adhoc import Task

MIN_LENGTH = 2


@dataclass(frozen=True)
class QuickHit:
    kind: str
    kind_label: str
    object_type: str
    object_id: int
    title: str
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "kind_label": self.kind_label, "type": self.object_type,
                "id": self.object_id, "title": self.title, "detail": self.detail}


@dataclass(frozen=True)
class Typed:
    """What was typed, read once: the words, and the keys it may be."""

    text: str
    words: list[str]
    number: int | None  # «123», «№ 123», «#123»
    email: str | None
    phone: str | None
    digits: str


def _typed(text: str) -> Typed:
    number_match = re.fullmatch(r"\s*(?:№|#|N)?\s*(\d{1,9})\s*", text)
    phone = normalize_phone(text) if looks_like_phone(text) else None
    return Typed(text, query_words(text), int(number_match.group(1)) if number_match else None,
                 normalize_email(text) if "@" in text else None, phone, re.sub(r"\D", "", text))


Finder = Callable[[Session, User, Typed, int], list[QuickHit]]


def _readable(session: Session, user: User, model: Any, condition: Any, limit: int,
              newest: bool = True) -> list:
    """The first ``limit`` rows of ``model`` matching ``condition`` among those ``user`` may read."""
    order = model.id.desc() if newest else model.id
    stmt = scoped(user, model, select(model).where(condition))
    return list(session.scalars(stmt.order_by(order).limit(limit)))


def _joined(*parts: str | None) -> str:
    return " · ".join(p for p in parts if p)


def _clients(session: Session, user: User, typed: Typed, limit: int) -> list[QuickHit]:
    condition = search_condition(session, typed.text)
    if condition is None:
        return []
    if typed.number is not None and len(typed.digits) < 10:
        condition = or_(condition, Client.id == typed.number)
    return [QuickHit("client", "Клиент", "client", c.id, c.display_name,
                     _joined(f"ИНН {c.inn}" if c.inn else None, display_phone(c.phone), c.email))
            for c in _readable(session, user, Client, condition, limit, newest=False)]


def _contacts(session: Session, user: User, typed: Typed, limit: int) -> list[QuickHit]:
    if typed.email:
        condition: ColumnElement[bool] = Contact.email == typed.email
    elif typed.phone:
        condition = Contact.phone == typed.phone
    elif typed.words and typed.number is None:
        condition = and_(*[like_fragment(Contact.search_name, w) for w in typed.words])
        if uses_name_tokens(session):  # SQLite: candidates from the tokens of the longest word
            longest = max(typed.words, key=len)
            condition = and_(Contact.id.in_(select(NameToken.contact_id).where(token_range(longest))),
                             condition)
    else:
        return []
    readable = scoped(user, Client, select(Client.id))
    stmt = (select(Contact, Client).join(Client, Client.id == Contact.client_id)
            .where(condition, Contact.client_id.in_(readable)).order_by(Contact.id).limit(limit))
    return [QuickHit("contact", "Контакт", "client", client.id, contact.full_name,
                     _joined(client.display_name, display_phone(contact.phone), contact.email))
            for contact, client in session.execute(stmt)]


def _titled(session: Session, user: User, model: Any, typed: Typed, limit: int) -> list[ColumnElement[bool]]:
    """The newest ``limit`` readable rows whose title holds every typed word, found through the
    title index (``models.platform.fragments``), as a key condition: ``id IN (those ids)``."""
    ids = newest_ids(session, scoped(user, model), model, fragment_words(typed.text), limit)
    return [model.id.in_(ids)] if ids else []


def _deals(session: Session, user: User, typed: Typed, limit: int) -> list[QuickHit]:
    keys: list[ColumnElement[bool]] = [Deal.contract_number == typed.text.strip()]
    if typed.number is not None:
        keys.append(Deal.id == typed.number)
    if typed.words and typed.number is None and not typed.email and not typed.phone:
        keys += _titled(session, user, Deal, typed, limit)
    return [QuickHit("deal", "Сделка", "deal", d.id, d.title,
                     _joined(f"№ {d.id}", f"договор {d.contract_number}" if d.contract_number else None))
            for d in _readable(session, user, Deal, or_(*keys), limit)]


def _leads(session: Session, user: User, typed: Typed, limit: int) -> list[QuickHit]:
    keys: list[ColumnElement[bool]] = []
    if typed.email:
        keys.append(Lead.email == typed.email)
    if typed.phone:
        keys.append(Lead.phone == typed.phone)
    if len(typed.digits) in (10, 12) and typed.digits == typed.text.strip():
        keys.append(Lead.inn == typed.digits)
    if typed.number is not None:
        keys.append(Lead.id == typed.number)
    if typed.words and not keys:
        keys += _titled(session, user, Lead, typed, limit)
    if not keys:
        return []
    return [QuickHit("lead", "Лид", "lead", r.id, r.company or r.name or f"Лид № {r.id}",
                     _joined(r.name, display_phone(r.phone), r.email))
            for r in _readable(session, user, Lead, or_(*keys), limit)]


def _tasks(session: Session, user: User, typed: Typed, limit: int) -> list[QuickHit]:
    keys: list[ColumnElement[bool]] = []
    if typed.number is not None:
        keys.append(Task.id == typed.number)
    elif typed.words and not typed.email and not typed.phone:
        keys += _titled(session, user, Task, typed, limit)
    if not keys:
        return []
    return [QuickHit("task", "Задача", "task", t.id, t.title, f"№ {t.id}")
            for t in _readable(session, user, Task, or_(*keys), limit)]


def _documents(session: Session, user: User, typed: Typed, limit: int) -> list[QuickHit]:
    keys: list[ColumnElement[bool]] = [Document.number == typed.text.strip()]
    if typed.words and typed.number is None and not typed.email and not typed.phone:
        keys += _titled(session, user, Document, typed, limit)
    return [QuickHit("document", "Документ", "document", d.id, d.title, f"№ {d.number}")
            for d in _readable(session, user, Document, or_(*keys), limit)]


FINDERS: tuple[Finder, ...] = (_clients, _contacts, _deals, _leads, _tasks, _documents)
# The kinds a form may ask for alone (a task's link: ``kinds=("client", "deal")``).
FINDER_KINDS: dict[str, Finder] = {"client": _clients, "contact": _contacts, "deal": _deals, "lead": _leads,
                                   "task": _tasks, "document": _documents}


@dataclass(frozen=True)
class QuickAnswer:
    records: list[QuickHit]
    texts: list[Any]  # service.Hit


def quick_search(session: Session, user: User, text: str, per_kind: int = 5,
                 kinds: Collection[str] | None = None) -> QuickAnswer:
    """Records by identifier, then the full-text hits; nothing the user may not read.

    With ``kinds`` only those kinds of records are looked for and no texts: the pickers of a form
    (link a task to a client or a deal) ask the same search as the Ctrl+K box, so a record is found
    by the same identifiers in both.
    """
    require(user, Permission.USE_CRM)
    text = (text or "").strip()[:200]
    if len(text) < MIN_LENGTH:
        return QuickAnswer([], [])
    typed = _typed(text)
    finders = FINDERS if kinds is None else tuple(f for k, f in FINDER_KINDS.items() if k in kinds)
    records = [hit for finder in finders for hit in finder(session, user, typed, per_kind)]
    if kinds is not None:
        return QuickAnswer(records, [])
    try:
        texts = search(session, user, {"q": text, "limit": str(per_kind)}).hits
    except SearchError:
        texts = []  # only stop words, or a bare number: the records are the answer
    return QuickAnswer(records, texts)
