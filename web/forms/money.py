"""Money typed and shown the Russian way: «1 500 000,50» on the page, ``"1500000.50"`` in the data.

Forms keep money as a decimal string with two places, so JSON Schema patterns, the engine's
data and ``Decimal`` all agree and no float ever touches an amount. People type it grouped
by spaces with a decimal comma (or a point, or without grouping), optionally followed by ₽.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from models.platform.money import MONEY_ERROR, parse_amount

__all__ = ["MONEY_ERROR", "format_money", "parse_money"]

_CANONICAL = re.compile(r"^-?\d+(?:\.\d+)?$")


def parse_money(text: str) -> str:
    """The decimal string (two places) of an amount as typed; ``ValueError`` with a Russian message.

    The parsing itself is ``models.platform.money.parse_amount``, the one parser of typed amounts.
    """
    return str(parse_amount(text))


def format_money(value: object) -> str:
    """«1 500 000,50» for a stored amount (cents only when there are any); other text unchanged.

    A value that is not a plain decimal (what someone typed, shown again with an error) is
    returned as it is, so the page never rewrites a wrong entry into something else.
    """
    if isinstance(value, bool) or value is None:
        return ""
    if not isinstance(value, int | float | Decimal) and not _CANONICAL.match(str(value).strip()):
        return str(value)
    try:
        amount = Decimal(str(value).strip()).quantize(Decimal("0.01"))
    except InvalidOperation:
        return str(value)
    shown = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return shown.replace(",", " ").replace(".", ",")
