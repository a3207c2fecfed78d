"""Refusals of the discount sign-off, each answered by every edge the same way.

``DiscountError`` is bad input (422 with Russian messages per field), ``DiscountConflict``
a state that moved on (409: the request is already decided, another one is open, someone
was faster), ``DiscountNotApproved`` the rule «the approved discount is law» (a КП with a
discount above the approved one; 422 naming the approved limit). Raised before anything is
written, so the unit of work keeps nothing of a refused action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


class DiscountError(Exception):
    """Refused input, with Russian messages per field (``_form`` for the whole request)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(m for ms in errors.values() for m in ms))

    @property
    def message(self) -> str:
        return str(self)


class DiscountConflict(Exception):
    """The request is not in a state that allows this any more (HTTP 409)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Approval:
    """An approved discount of a deal and product: how much, who approved it, when, until when."""

    request_id: int
    product: str
    pct: Decimal
    approved_by: str
    approved_at_day: date
    valid_until: date | None


class DiscountNotApproved(Exception):
    """A КП carries a discount above the approved one (or none is approved): refused, and logged.

    ``approval`` is the approved discount in force (None when there is none); the message names
    it. ``source`` says which path tried (deal_card, api, process, documents) for the violation log.
    """

    field = "requested_discount"

    def __init__(
        self,
        *,
        deal_id: int,
        product: str | None,
        discount: Decimal,
        approval: Approval | None,
        message: str,
        source: str = "documents",
        user_id: int | None = None,
    ) -> None:
        super().__init__(message)
        self.deal_id = deal_id
        self.product = product
        self.discount = discount
        self.approval = approval
        self.message = message
        self.source = source
        self.user_id = user_id

    @property
    def errors(self) -> dict[str, list[str]]:
        return {self.field: [self.message]}
