"""Whose number is it: a PBX number in any spelling → the client (and contact) and their open deal.

The PBX sends digits («74951234567», «84951234567», «+7 (495) 123-45-67» typed by a
person); the client index keeps E.164, so the number is normalised the way cards are
and looked up in ``client_contact_point`` — a client's own phone or any contact's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.clients.cards import Client
from models.clients.index import ContactPoint
from models.clients.phones import normalize_phone
from models.sales.deals import Deal, DealStatus


def pbx_number(raw: str | None) -> str | None:
    """E.164 of a number as a PBX or a person spells it; None when it is no valid number."""
    text = (raw or "").strip()
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits[0] in "78" and not text.startswith("+"):
        return normalize_phone("+7" + digits[1:])
    return normalize_phone(text) or (normalize_phone("+" + digits) if digits else None)


@dataclass(frozen=True)
class Match:
    client: Client
    contact_id: int | None
    deal: Deal | None


def match_number(session: Session, raw: str | None) -> Match | None:
    """The client whose card or contact has this number (a contact's match preferred), and its open deal."""
    number = pbx_number(raw)
    if number is None:
        return None
    point = session.scalar(
        select(ContactPoint)
        .where(ContactPoint.kind == "phone", ContactPoint.value == number)
        .order_by(ContactPoint.contact_id.is_(None), ContactPoint.id)
        .limit(1)
    )
    if point is None:
        return None
    client = session.get(Client, point.client_id)
    if client is None:
        return None
    deal = session.scalar(
        select(Deal)
        .where(Deal.client_id == client.id, Deal.status == DealStatus.OPEN)
        .order_by(Deal.last_activity_at.desc().nulls_last(), Deal.id.desc())
        .limit(1)
    )
    return Match(client, point.contact_id, deal)
