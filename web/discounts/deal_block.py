"""The discount block of the deal card, read once per card through one service call."""

from __future__ import annotations

from flask_login import current_user

from models.discounts.pages import DealDiscounts, deal_discounts
from models.platform.db import db
from web.security import clock


def discount_block(deal_id: int) -> DealDiscounts:
    """Approvals, requests with their route and decisions, and the request form's choices."""
    return deal_discounts(db.session, current_user, deal_id, clock().now().date())
