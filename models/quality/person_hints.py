"""Duplicate hints for a person's card: candidates from several keys, scored by ``person_match``.

Implements the clients package's ``clients.person_hints`` port. Candidates are individual
clients sharing any one key — the birth date, the passport hash, a phone or an e-mail — or a
name fragment: the first *and* the last three letters of each name word (so «Гузнецов» still
meets «Кузнецов», and «Сергей Кузнецов» meets «Кузнецов Сергей»). Each candidate is scored
(name with initials, swaps and transliteration, birth date, passport, address, phone,
e-mail); those at ``THRESHOLD`` are hints, with the score's reasons for the card.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.clients.cards import Client, ClientKind
from models.clients.index import ContactPoint
from models.clients.names import query_words
from models.clients.search import like_fragment
from models.quality.person_match import THRESHOLD, Identity, name_tokens, score

PER_KEY = 200  # candidates per key: a common surname must not make a card slow


def identity_of(client: Client) -> Identity:
    return Identity(client.id, name_tokens(client.full_name), client.birth_date, client.passport_hash,
                    client.postal_address or client.legal_address, client.phone, client.email)


def _candidate_ids(session: Session, client: Client) -> set[int]:
    person = Client.kind == ClientKind.PERSON.value
    keys: list[Any] = []
    if client.birth_date:
        keys.append(Client.birth_date == client.birth_date)
    if client.passport_hash:
        keys.append(Client.passport_hash == client.passport_hash)
    found: set[int] = set()
    for key in keys:
        found.update(session.scalars(select(Client.id).where(person, key).limit(PER_KEY)))
    points = [*client.all_phones, *client.all_emails]
    if points:
        found.update(session.scalars(select(ContactPoint.client_id).where(ContactPoint.value.in_(points))
                                     .limit(PER_KEY)))
    words = [w for w in query_words(client.full_name) if len(w) >= 3]
    fragments = {part for w in words for part in (w[:3], w[-3:])}
    for fragment in fragments:
        named = select(Client.id).where(person, like_fragment(Client.search_name, fragment))
        found.update(session.scalars(named.limit(PER_KEY)))
    found.discard(client.id)
    return found


def person_hints(session: Session, client: Client, limit: int = 10) -> list[tuple[Client, int, list[str]]]:
    """Likely duplicates of a person, best first: (client, points, reasons)."""
    if client.kind != ClientKind.PERSON.value:
        return []
    ids = _candidate_ids(session, client)
    if not ids:
        return []
    me = identity_of(client)
    scored = []
    people = select(Client).where(Client.id.in_(ids), Client.kind == ClientKind.PERSON.value)
    for other in session.scalars(people):
        points, reasons = score(me, identity_of(other))
        if points >= THRESHOLD:
            scored.append((other, points, reasons))
    return sorted(scored, key=lambda row: (-row[1], row[0].id))[:limit]
