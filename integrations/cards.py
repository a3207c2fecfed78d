"""What the integrations add to a client's or a deal's card, in one call: calls with recordings, e-mails."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from integrations.imap.service import Thread, threads_of
from integrations.spark.checks import SparkCheck, latest
from integrations.telephony.calls import TelephonyCall
from integrations.telephony.service import calls_of


@dataclass(frozen=True)
class CardBlocks:
    calls: list[TelephonyCall] = field(default_factory=list)
    threads: list[Thread] = field(default_factory=list)
    spark: SparkCheck | None = None


def card_blocks(
    session: Session, user: Any, *, client_id: int | None = None, deal_id: int | None = None
) -> CardBlocks:
    """The blocks of one card (the card's own rights are checked again here)."""
    return CardBlocks(
        calls=calls_of(session, user, client_id=client_id, deal_id=deal_id),
        threads=threads_of(session, user, client_id=client_id, deal_id=deal_id),
        spark=latest(session, client_id) if client_id is not None else None,
    )
