"""The integrations' blocks on the client and deal cards, read once per card through one service call."""

from __future__ import annotations

from flask_login import current_user

from integrations.cards import CardBlocks, card_blocks
from integrations.spark.checks import high_risk_clients
from models.platform.db import db


def integration_blocks(client_id: int | None = None, deal_id: int | None = None) -> CardBlocks:
    """Calls with recordings (and e-mails) of a client's card or a deal the user may view."""
    return card_blocks(db.session, current_user, client_id=client_id, deal_id=deal_id)


def spark_high_risk(client_id: int) -> bool:
    """Whether SPARK's latest check flags the client (the discount context, other pages)."""
    return client_id in high_risk_clients(db.session, [client_id])
