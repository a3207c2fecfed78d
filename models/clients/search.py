"""The client list: one search box, filters, sorting and keyset pagination.

The search box understands what is typed: an e-mail, a phone in any spelling, an INN
(10/12 digits), an OGRN (13/15 digits) — each an index lookup in ``client`` or
``client_contact_point`` — and otherwise fragments of a name. A name matches when every
typed word is part of a word of the client's name or of the name of one of its contacts
(case-insensitive, «ё» = «е», legal forms and quotes ignored).

Fragments are found through an index on both databases. PostgreSQL uses pg_trgm GIN
indexes on ``search_name``; own-name and contact-name matches are paged separately and
merged, so each is a plain query its planner costs well. SQLite uses the suffix table
``client_name_token`` for fragments matching fewer than ``BROAD_MATCHES`` names; broader
ones, like broad filters, are served by a window walk in sort order (``_rows_in_window``),
quick precisely because matches are frequent. Pages are cut by keyset (the last row's sort
key), never by OFFSET, and no COUNT runs per page, so page 1000 is as fast as page 1.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    and_,
    exists,
    func,
    or_,
    select,
    tuple_,
    union,
    union_all,
)
from sqlalchemy.orm import Session, joinedload

from models.clients.cards import CLIENT_STATUSES, Client, ClientKind, Contact
from models.clients.index import ContactPoint, NameToken, uses_name_tokens
from models.clients.names import query_words
from models.clients.phones import looks_like_phone, normalize_email, normalize_phone
from models.identity.users import User
from models.platform.ids import parse_int
from models.platform.permissions import scoped

BROAD_MATCHES = 10_000
WINDOWS = (500, 8000)
MAX_LIMIT = 200
SORTS = {
    "name": (Client.search_name, False), "-name": (Client.search_name, True),
    "created": (Client.created_at, False), "-created": (Client.created_at, True),
}
SORT_LABELS = {"name": "по названию (А→Я)", "-name": "по названию (Я→А)",
               "created": "сначала старые", "-created": "сначала новые"}
_HIGHEST = "\U0010ffff"  # sorts after every other character in UTF-8 byte order


@dataclass
class ClientFilter:
    """What the user asked the list for; built from query-string arguments or API parameters."""

    q: str = ""
    kind: str | None = None
    owner_id: int | None = None
    territory: str | None = None
    industry: str | None = None
    status: str | None = None
    created_from: date | None = None
    created_to: date | None = None
    sort: str = "name"
    cursor: str | None = None
    limit: int = 50
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_args(cls, args: Any) -> ClientFilter:
        """Parse request arguments; unusable values are dropped and reported in ``errors``."""
        flt, errors = cls(), {}
        flt.q = (args.get("q") or "").strip()[:200]
        for name in ("territory", "industry"):
            setattr(flt, name, (args.get(name) or "").strip() or None)
        kind = args.get("kind") or None
        if kind and kind not in {k.value for k in ClientKind}:
            errors["kind"] = "Неизвестный тип клиента"
        else:
            flt.kind = kind
        status = args.get("status") or None
        if status and status not in CLIENT_STATUSES:
            errors["status"] = "Неизвестный статус"
        else:
            flt.status = status
        owner = str(args.get("owner_id") or "")
        if owner and parse_int(owner) is None:
            errors["owner_id"] = "Ответственный указан неверно"
        flt.owner_id = parse_int(owner)
        for name in ("created_from", "created_to"):
            value = args.get(name) or ""
            try:
                setattr(flt, name, date.fromisoformat(value) if value else None)
            except ValueError:
                errors[name] = "Дата в формате ГГГГ-ММ-ДД"
        sort = args.get("sort") or "name"
        flt.sort = sort if sort in SORTS else "name"
        flt.cursor = args.get("cursor") or None
        limit = str(args.get("limit") or "50")
        flt.limit = min(max(parse_int(limit, 10**6) or 50, 1), MAX_LIMIT)
        flt.errors = errors
        return flt

    def as_args(self, **overrides: Any) -> dict[str, str]:
        """Query-string arguments reproducing this filter (for links, export, next page)."""
        flt = replace(self, **overrides)
        values = {"q": flt.q, "kind": flt.kind, "owner_id": flt.owner_id, "territory": flt.territory,
                  "industry": flt.industry, "status": flt.status, "created_from": flt.created_from,
                  "created_to": flt.created_to, "sort": flt.sort if flt.sort != "name" else None,
                  "cursor": flt.cursor}
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


@dataclass
class Page:
    """One page of clients and the cursor of the next one (None on the last page)."""

    items: list[Client]
    next_cursor: str | None


def like_fragment(column: Any, word: str) -> ColumnElement[bool]:
    """``column`` contains ``word`` (LIKE with the wildcards in ``word`` escaped)."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%{escaped}%", escape="\\")


def _words_match(words: list[str]) -> ColumnElement[bool]:
    """Every word is part of the client's search name or of one contact's search name."""
    in_contact = exists().where(Contact.client_id == Client.id,
                                *[like_fragment(Contact.search_name, w) for w in words])
    return or_(and_(*[like_fragment(Client.search_name, w) for w in words]), in_contact)


def token_range(word: str) -> ColumnElement[bool]:
    """Name tokens starting with ``word``: an index range, since tokens are word suffixes."""
    word = word[:40]
    return and_(NameToken.token >= word, NameToken.token < word + _HIGHEST)


def _capped_count(session: Session, stmt: Select, cap: int) -> int:
    """How many rows ``stmt`` finds, counting no further than ``cap``."""
    capped = stmt.limit(cap).subquery()
    return session.execute(select(func.count()).select_from(capped)).scalar_one()


def _likely_rare_first(word: str) -> tuple[bool, int]:
    """Sort key: words with digits (a number in a name is nearly unique), then longer words first."""
    return (not any(ch.isdigit() for ch in word), -len(word))


def rarest_word(session: Session, words: list[str], cap: int | None = None, *,
                own_names: bool = False) -> tuple[str, int]:
    """The word (of the first four) whose name tokens name the fewest clients, and that number counted
    no further than ``cap`` (``own_names``: the clients' own names only, not their contacts').

    Counting a broad word to the cap walks that many index entries (10 000: 1.5–2 ms on SQLite); a
    word only needs counting as far as the rarest one so far, so the words likely rare are counted
    first and each next one no further than the best count yet: «Альфа Мегаполис 200000» counts
    «200000» (2) and then two index entries of each other word, not 10 000. ``cap``: ``BROAD_MATCHES``
    unless given."""
    cap = BROAD_MATCHES if cap is None else cap
    best, best_count = "", cap + 1
    for word in sorted(words[:4], key=_likely_rare_first):
        tokens = select(NameToken.client_id).where(token_range(word))
        if own_names:
            tokens = tokens.where(NameToken.contact_id == 0)
        count = _capped_count(session, tokens, min(best_count, cap))
        if count < best_count:
            best, best_count = word, count
        if best_count == 0:
            break  # no client has this word: nothing can match
    return best, best_count


@dataclass
class _Search:
    """A search box entry as SQL: the condition, whether it is selective, and for PostgreSQL
    name searches the two halves (own name, a contact's name) to page separately."""

    condition: ColumnElement[bool] | None = None
    selective: bool = False
    halves: tuple[ColumnElement[bool], ColumnElement[bool]] | None = None


def _name_search(session: Session, words: list[str]) -> _Search:
    """Name fragments: through pg_trgm on PostgreSQL, through the token table on SQLite.

    On PostgreSQL the own-name and contact-name matches are paged separately (each a
    plain indexed query the planner costs well) and merged. On SQLite a fragment found in
    fewer than ``BROAD_MATCHES`` names is looked up through the tokens and its candidates
    sorted; a broader one is better served by walking the list in order.
    """
    if not uses_name_tokens(session):
        own = and_(*[like_fragment(Client.search_name, w) for w in words])
        contact = Client.id.in_(select(Contact.client_id).where(
            *[like_fragment(Contact.search_name, w) for w in words]))
        return _Search(or_(own, contact), False, (own, contact))
    rarest, count = rarest_word(session, words)
    if count >= BROAD_MATCHES:
        return _Search(_words_match(words), False)
    candidates = select(NameToken.client_id).where(token_range(rarest))
    return _Search(and_(Client.id.in_(candidates), _words_match(words)), True)


def _key_candidates(text: str) -> list[Select]:
    """Exact-key lookups a search text may mean (e-mail, phone, INN, OGRN)."""
    keys: list[Select] = []
    if "@" in text:
        email = normalize_email(text)
        if email:
            keys.append(select(ContactPoint.client_id).where(ContactPoint.value == email))
        return keys
    digits = re.sub(r"\D", "", text)
    if not re.fullmatch(r"[\d\s()+\-.]+", text):
        return keys
    if len(digits) in (10, 12):
        keys.append(select(Client.id).where(Client.inn == digits))
    if len(digits) in (13, 15):
        keys.append(select(Client.id).where(Client.ogrn == digits))
    phone = normalize_phone(text) if looks_like_phone(text) else None
    if phone:
        keys.append(select(ContactPoint.client_id).where(ContactPoint.value == phone))
    return keys


def _search(session: Session, text: str) -> _Search:
    text = text.strip()
    if not text:
        return _Search()
    keys = _key_candidates(text)
    if keys:
        return _Search(Client.id.in_(union(*keys) if len(keys) > 1 else keys[0]), True)
    words = query_words(text)
    return _name_search(session, words) if words else _Search()


def search_condition(session: Session, text: str) -> ColumnElement[bool] | None:
    """The WHERE condition for a search box entry, or None when nothing was typed."""
    return _search(session, text).condition


def matching_client_ids(session: Session, text: str) -> tuple[Select | CompoundSelect | None, bool]:
    """Ids of the clients a search box entry finds (names, INN, OGRN, phone, e-mail), as one
    select for other lists (deals by their client), and whether it is selective: a select that
    is not (a frequent fragment on SQLite) is better checked row by row than read whole."""
    search = _search(session, text)
    if search.condition is None:
        return None, False
    if search.halves is not None:  # PostgreSQL names: each half through its own trigram index
        own, contact = search.halves
        return union(select(Client.id).where(own), select(Client.id).where(contact)), True
    return select(Client.id).where(search.condition), search.selective


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def _filtered(session: Session, user: User, flt: ClientFilter,
              zone: ZoneInfo | None) -> tuple[Select, _Search]:
    """Scope and filters (without the search box), and the search box entry."""
    zone = zone or ZoneInfo("Europe/Moscow")
    stmt = scoped(user, Client)
    for name in ("kind", "owner_id", "territory", "industry", "status"):
        value = getattr(flt, name)
        if value is not None:
            stmt = stmt.where(getattr(Client, name) == value)
    if flt.created_from:
        stmt = stmt.where(Client.created_at >= _day_start(flt.created_from, zone))
    if flt.created_to:
        stmt = stmt.where(Client.created_at < _day_start(flt.created_to + timedelta(days=1), zone))
    return stmt, _search(session, flt.q)


def filtered_query(session: Session, user: User, flt: ClientFilter,
                   zone: ZoneInfo | None = None) -> Select:
    """Clients the user may see that match the filter, unordered (list, export)."""
    stmt, search = _filtered(session, user, flt, zone)
    return stmt if search.condition is None else stmt.where(search.condition)


def encode_cursor(client: Client, sort: str) -> str:
    """The keyset cursor after ``client``: its sort value and id, URL-safe."""
    column, _ = SORTS[sort]
    value = getattr(client, column.key)
    value = value.isoformat() if isinstance(value, datetime) else value
    raw = json.dumps([value, client.id], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: str) -> tuple[Any, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, last_id = json.loads(raw)
        if sort.lstrip("-") == "created":
            value = datetime.fromisoformat(value)
        return value, int(last_id)
    except (ValueError, TypeError):
        return None


# A list row shows its owner's name: joined in the same statement, not loaded after it.
_ROW_LOADS = (joinedload(Client.owner).load_only(User.full_name),)


def _rows_in_window(session: Session, stmt: Select, order: tuple, after: list, limit: int) -> list[Client]:
    """The page's rows if they all lie among the next few thousand clients in sort order.

    SQLite keeps no statistics unless ANALYZE ran, and even with them it serves a broad
    filter from the filter's own index and then sorts everything the filter matched.
    Looking at the next ``WINDOWS`` clients in sort order (a covering index range) and
    filtering just those is exact when it yields a full page, and quick; otherwise the
    caller runs the ordinary query, which is then selective enough to be quick itself.
    """
    for size in WINDOWS:
        window = select(Client.id).where(*after).order_by(*order).limit(size).subquery()
        ids = list(session.scalars(
            select(Client.id).where(Client.id.in_(select(window.c.id)),
                                    func.coalesce(stmt.whereclause, False))  # opaque to the planner
            .order_by(*order).limit(limit + 1)))
        if len(ids) > limit:
            found = {c.id: c for c in session.scalars(
                select(Client).where(Client.id.in_(ids)).options(*_ROW_LOADS))}
            return [found[i] for i in ids]
    return []


def search_page(session: Session, user: User, flt: ClientFilter,
                zone: ZoneInfo | None = None) -> Page:
    """One page of the list in the requested order, plus the cursor of the next page."""
    column, descending = SORTS.get(flt.sort, SORTS["name"])
    base, search = _filtered(session, user, flt, zone)
    position = _decode_cursor(flt.cursor, flt.sort) if flt.cursor else None
    after = []
    if position is not None:
        key = tuple_(column, Client.id)
        after.append(key < tuple_(*position) if descending else key > tuple_(*position))
    order = (column.desc(), Client.id.desc()) if descending else (column.asc(), Client.id.asc())
    size = flt.limit + 1
    rows: list[Client] = []
    if search.halves is not None:
        # The page is among the first ``size`` of each half; the database orders their union. One
        # statement: each half is a subquery planned on its own (its trigram index), as it was
        # when the halves ran apart and their ids came back as a list (two round trips fewer).
        firsts = union_all(*(base.where(half, *after).with_only_columns(Client.id).order_by(*order)
                             .limit(size) for half in search.halves)).subquery()
        stmt = select(Client).where(Client.id.in_(select(firsts.c.id)))
    else:
        stmt = base if search.condition is None else base.where(search.condition)
        if uses_name_tokens(session) and stmt.whereclause is not None and not search.selective:
            rows = _rows_in_window(session, stmt, order, after, flt.limit)
        stmt = stmt.where(*after)
    if len(rows) < size:
        rows = list(session.scalars(stmt.order_by(*order).limit(size).options(*_ROW_LOADS)))
    more = len(rows) > flt.limit
    rows = rows[: flt.limit]
    return Page(rows, encode_cursor(rows[-1], flt.sort) if more and rows else None)
