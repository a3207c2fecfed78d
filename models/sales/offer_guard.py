"""The check a КП passes before a deal records it as sent: a port the discount sign-off implements.

Sales knows when a commercial offer goes out — the deal enters «КП отправлено» (or jumps
past it), or the discount of a КП already sent changes — but not which discounts are
approved: that is ``models.discounts``, which imports this package and so cannot be
imported back. It declares its check under ``OFFER_GUARD`` (``Registry.service``); the
deal services call ``check_offer`` before changing anything, so a refusal (an exception the
guard raises, answered by the web layer) leaves the deal as it was. Without the discounts
package installed, every offer passes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Protocol

from sqlalchemy.orm import Session

from models.identity.users import User
from models.platform.registry import installed
from models.sales.deals import Deal

OFFER_GUARD = "sales.offer_guard"


class OfferGuard(Protocol):
    def __call__(
        self,
        session: Session,
        actor: User,
        deal: Deal,
        *,
        target_stage: str | None,
        discount: Decimal | None,
        channel: str,
        today: date,
    ) -> None:
        """Raise when the КП ``deal`` would record (moving to ``target_stage``, or changing its
        ``discount`` in place when ``target_stage`` is None) is not allowed; ``channel``: ui | api."""
        ...


def check_offer(
    session: Session,
    actor: User,
    deal: Deal,
    *,
    target_stage: str | None,
    discount: Decimal | None,
    channel: str,
    today: date,
) -> None:
    """Ask the installed offer guard, if any package declared one."""
    guard = installed().services.get(OFFER_GUARD)
    if guard is not None:
        guard(
            session,
            actor,
            deal,
            target_stage=target_stage,
            discount=discount,  # type: ignore[operator]
            channel=channel,
            today=today,
        )
