"""Likely duplicates of a client card, and the pairs people said are not duplicates.

A card is a likely duplicate of another when they share INN and KPP (branches share the
INN but differ by KPP, so a different KPP is not a duplicate), a phone, an e-mail, or
have a similar name. Names are compared with rapidfuzz (``WRatio`` on the normalised
search names, threshold ``NAME_THRESHOLD``); candidates for the comparison come from the
name index (clients containing the first letters of the longest words of the name), so
the check stays a few index lookups on a million clients. A typo in the first letters of
every long word can hide a similar name; exact keys are never missed.

A pair marked «не дубликат» is stored in ``client_not_duplicate`` (smaller id first) and
never suggested again. ``duplicate_summary`` is a match as a given user may see it: a
client of another manager is reported (so nobody creates it twice) but stays anonymous.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import ForeignKey, Index, Select, case, or_, select
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column

from models.clients.cards import Client
from models.clients.index import ContactPoint, NameToken, uses_name_tokens
from models.clients.names import name_words, search_name
from models.clients.phones import display_phone, normalize_email, normalize_phone, split_values
from models.clients.search import like_fragment, rarest_word, token_range
from models.identity.users import User
from models.platform.db import Base, UTCDateTime, utcnow
from models.platform.one_trip import read_together
from models.platform.permissions import can_access

NAME_THRESHOLD = 88
STEM = 5
CANDIDATES = 200


NAME_REASON = "Похожее наименование"  # a name-only match (people need more: models.quality)

class NotDuplicate(Base):
    """Two clients a person confirmed to be different (``client_a_id`` < ``client_b_id``)."""

    __tablename__ = "client_not_duplicate"
    __table_args__ = (Index("ix_client_not_duplicate_b", "client_b_id"),)

    client_a_id: Mapped[int] = mapped_column(
        ForeignKey("client.id", ondelete="CASCADE"), primary_key=True
    )
    client_b_id: Mapped[int] = mapped_column(
        ForeignKey("client.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@dataclass
class DuplicateMatch:
    """One likely duplicate: the client, why it matched, and how sure (100 = exact key)."""

    client: Client
    reasons: list[str] = field(default_factory=list)
    score: int = 0


@dataclass
class Probe:
    """The keys of a card that duplicates are looked up by, normalised."""

    inn: str | None
    kpp: str | None
    name: str
    phones: list[str]
    emails: list[str]

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> Probe:
        """Keys of a card being typed (raw form or API values, any spelling)."""
        phones = split_values(values.get("phones")) or (
            split_values(values.get("phone")) + split_values(values.get("extra_phones")))
        emails = split_values(values.get("emails")) or (
            split_values(values.get("email")) + split_values(values.get("extra_emails")))
        return cls(
            inn="".join(str(values.get("inn") or "").split()) or None,
            kpp="".join(str(values.get("kpp") or "").split()).upper() or None,
            name=search_name(values.get("full_name"), values.get("short_name")),
            phones=[p for p in map(normalize_phone, phones) if p],
            emails=[e for e in map(normalize_email, emails) if e],
        )

    @classmethod
    def from_client(cls, client: Client) -> Probe:
        """Keys of a saved client."""
        return cls(client.inn, client.kpp, client.search_name, client.all_phones, client.all_emails)


def name_score(a: str, b: str) -> int:
    """Similarity of two normalised names, 0–100."""
    if not a or not b:
        return 0
    return round(fuzz.WRatio(a, b))


def same_entity_reason(inn: str | None, kpp: str | None, other_inn: str | None,
                       other_kpp: str | None) -> str | None:
    """Why two requisites mean the same legal entity, or None (different KPP = a branch)."""
    if not inn or inn != other_inn:
        return None
    if kpp and other_kpp:
        return "Совпадают ИНН и КПП" if kpp == other_kpp else None
    return "Совпадает ИНН"


def _name_candidates(session: Session, name: str) -> list[Select]:
    """SELECTs of clients (id, name) whose name contains the first letters of the two longest words,
    and of those holding the longest one's; the caller reads them with the other keys.

    On SQLite the clients holding both stems are walked from the rarer stem's tokens (two capped
    counts tell which): from the first stem's, a common word («строй» of «Стройинвест Север 199989»)
    meant 2 000 clients read and checked for the other stem, 7 ms of every card; from the rarer
    one, a handful. The walk is capped either way, so the rarer stem also misses fewer names."""
    words = sorted((w for w in name_words(name) if len(w) >= 3), key=len, reverse=True)[:2]
    stems = [w[:STEM] for w in words]
    sqlite = uses_name_tokens(session)
    statements = []
    for group in ([stems, stems[:1]] if len(stems) > 1 else [stems] if stems else []):
        if sqlite and len(group) > 1:
            rarer, _ = rarest_word(session, group, CANDIDATES * 10, own_names=True)
            group = [rarer, *(s for s in group if s != rarer)]
        conditions = [like_fragment(Client.search_name, s) for s in group]
        if sqlite:
            # The token range bounds the work; LIKE then checks the remaining stems.
            first = select(NameToken.client_id).where(
                token_range(group[0]), NameToken.contact_id == 0).limit(CANDIDATES * 10)
            conditions = [Client.id.in_(first), *conditions[1:]]
        statements.append(select(Client.id, Client.search_name).where(*conditions).limit(CANDIDATES))
    return statements


def _dismissed_rows(client_id: int) -> Select:
    """The ids marked «не дубликат» together with ``client_id`` (one column: the other client)."""
    pair = NotDuplicate
    other = case((pair.client_a_id == client_id, pair.client_b_id), else_=pair.client_a_id)
    return select(other).where(or_(pair.client_a_id == client_id, pair.client_b_id == client_id))


def _key_reads(session: Session, probe: Probe, dismissed_of: int | None) -> dict[str, Select]:
    """Every read the duplicate search makes before ranking — the same INN, a shared phone or
    e-mail, a similar name, the pairs marked «не дубликат» — to be read in one round trip."""
    reads: dict[str, Select] = {}
    if probe.inn:
        reads["inn"] = select(Client.id, Client.kpp).where(Client.inn == probe.inn).limit(50)
    points = probe.phones + probe.emails
    if points:
        reads["point"] = select(ContactPoint.client_id, ContactPoint.kind, ContactPoint.value) \
            .where(ContactPoint.value.in_(points)).limit(100)
    for n, statement in enumerate(_name_candidates(session, probe.name)):
        reads[f"name{n}"] = statement
    if dismissed_of is not None:
        reads["dismissed"] = _dismissed_rows(dismissed_of)
    return reads


def find_duplicates(session: Session, probe: Probe, *, exclude_id: int | None = None,
                    limit: int = 10, dismissed_ids: set[int] | None = None) -> list[DuplicateMatch]:
    """Likely duplicates of the card described by ``probe``, best first; without the pairs marked
    «не дубликат» with ``exclude_id`` (``dismissed_ids``, when the caller read them already).

    Two statements whatever matched (``models.platform.one_trip``): the keys, names and marked
    pairs together, then the matching clients with their managers."""
    reasons: dict[int, list[tuple[str, int]]] = {}

    def add(client_id: int, reason: str, score: int) -> None:
        if client_id != exclude_id:
            reasons.setdefault(client_id, []).append((reason, score))

    found = read_together(session, _key_reads(session, probe, exclude_id if dismissed_ids is None else None))
    for client_id, kpp in found.get("inn", []):
        reason = same_entity_reason(probe.inn, probe.kpp, probe.inn, kpp)
        if reason:
            add(client_id, reason, 100)
    for client_id, kind, value in found.get("point", []):
        shown = display_phone(value) if kind == "phone" else value
        add(client_id, f"Совпадает {'телефон' if kind == 'phone' else 'e-mail'} {shown}", 100)
    names = dict(row for key, rows in found.items() if key.startswith("name") for row in rows)
    for client_id, other_name in names.items():
        score = name_score(probe.name, other_name)
        if score >= NAME_THRESHOLD:
            add(client_id, f"{NAME_REASON} ({score}%)", score)
    if exclude_id is not None and reasons:
        skip = dismissed_ids if dismissed_ids is not None else {other for other, in found["dismissed"]}
        reasons = {cid: why for cid, why in reasons.items() if cid not in skip}
    ranked = sorted(reasons.items(), key=lambda item: (-max(s for _, s in item[1]), item[0]))[:limit]
    ids = [cid for cid, _ in ranked]
    if not ids:
        return []
    # With their owners: each match names its manager (``duplicate_summary``), once a lazy load per owner.
    matched = select(Client).options(joinedload(Client.owner)).where(Client.id.in_(ids))
    clients = {c.id: c for c in session.scalars(matched)}
    # Different INNs are different legal entities, whatever else they share.
    return [DuplicateMatch(clients[cid], list(dict.fromkeys(r for r, _ in why)), max(s for _, s in why))
            for cid, why in ranked if cid in clients
            and not (probe.inn and clients[cid].inn and clients[cid].inn != probe.inn)]


def duplicates_of(session: Session, client: Client, limit: int = 10, *,
                  dismissed_ids: set[int] | None = None) -> list[DuplicateMatch]:
    """Likely duplicates of a saved client, without pairs marked «не дубликат»."""
    return find_duplicates(session, Probe.from_client(client), exclude_id=client.id, limit=limit,
                           dismissed_ids=dismissed_ids)


def dismissed(session: Session, client_id: int) -> set[int]:
    """Ids of clients marked «не дубликат» together with ``client_id``."""
    return set(session.scalars(_dismissed_rows(client_id)))


def mark_not_duplicate(session: Session, actor: User, a: Client, b: Client) -> NotDuplicate:
    """Remember that ``a`` and ``b`` are different clients; marking twice is harmless."""
    low, high = sorted((a.id, b.id))
    if low == high:
        raise ValueError("Клиент не может быть дубликатом самого себя")
    existing = session.get(NotDuplicate, (low, high))
    if existing is not None:
        return existing
    row = NotDuplicate(client_a_id=low, client_b_id=high, user_id=actor.id)
    session.add(row)
    session.flush()
    return row


def duplicate_summary(user: User, match: DuplicateMatch) -> dict[str, Any]:
    """A likely duplicate as ``user`` may see it: a client of another manager stays anonymous."""
    client = match.client
    visible = can_access(user, client, "view")
    return {
        "id": client.id if visible else None,
        "visible": visible,
        "name": client.display_name if visible else "клиент другого менеджера",
        "inn": client.inn if visible else None,
        "owner": client.owner.full_name if client.owner else None,
        "reasons": match.reasons,
        "score": match.score,
        "editable": visible and can_access(user, client, "edit"),
    }


def likely_duplicates(session: Session, user: User, values: Mapping[str, Any],
                      exclude_id: int | None = None) -> list[dict[str, Any]]:
    """Likely duplicates of a card being typed (raw form or API values), as ``user`` may see them."""
    matches = find_duplicates(session, Probe.from_values(values), exclude_id=exclude_id)
    return [duplicate_summary(user, match) for match in matches]
