"""Money the Russian way, in one place: «1 500 000,50 ₽» shown, «1 500 000,50» typed, ``Decimal`` stored.

Every page, form, API answer and e-mail that shows an amount goes through ``rub``; every
server-side parser of a typed amount goes through ``parse_amount``, so a manager may type
«1 500 000,50», «1 500 000,50 ₽» (with the no-break spaces a copy from Excel or a bank
statement carries), «1500000.50» or «1500000» in any form and gets the same ``Decimal``.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

NBSP = "\u00a0"
MONEY_ERROR = "Сумма в рублях, например 1 500 000 или 1 500 000,50"
# Digits grouped by thousands with a (no-break, narrow or thin) space, or not grouped at all.
_AMOUNT = re.compile(r"^(?P<sign>-?)(?P<whole>\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+|\d+)"
                     r"(?:[.,](?P<cents>\d{1,2}))?$")
_CURRENCY = re.compile(r"\s*(?:₽|руб\.?|р\.)$", re.IGNORECASE)
_SPACES = re.compile(r"[ \u00a0\u202f\u2009]")
CENT = Decimal("0.01")


def parse_amount(text: object, *, negative: bool = False) -> Decimal:
    """The ``Decimal`` (two places) of an amount as typed; ``ValueError`` with a Russian message.

    Numbers (``int``, ``Decimal``; a JSON ``float`` of the API) are taken as they are.
    """
    if isinstance(text, bool):
        raise ValueError(MONEY_ERROR)
    if isinstance(text, int | Decimal | float):
        try:
            amount = Decimal(str(text)).quantize(CENT)
        except InvalidOperation:
            raise ValueError(MONEY_ERROR) from None
        if not amount.is_finite() or (amount < 0 and not negative):
            raise ValueError(MONEY_ERROR)
        return amount
    match = _AMOUNT.match(_CURRENCY.sub("", str(text).strip()))
    if match is None or (match["sign"] and not negative):
        raise ValueError(MONEY_ERROR)
    whole = _SPACES.sub("", match["whole"])
    return Decimal(f"{match['sign']}{whole}.{(match['cents'] or '').ljust(2, '0')}")


def group(amount: Decimal, space: str = " ") -> str:
    """«1 500 000,50»: thousands by ``space``, comma decimals (what the money input shows too)."""
    whole, cents = f"{abs(amount):,.2f}".split(".")
    return ("-" if amount < 0 else "") + whole.replace(",", space) + "," + cents


def rub(value: Decimal | int | str | None, empty: str = "—") -> str:
    """«1 500 000,50 ₽» for a stored amount; ``empty`` for none."""
    if value is None or value == "":
        return empty
    amount = value if type(value) is Decimal else Decimal(str(value))
    return f"{group(amount.quantize(CENT))} ₽"


def percent(value: Decimal | int | float | str | None, empty: str = "—") -> str:
    """«7,5 %»: a comma decimal, no trailing zeros."""
    if value is None or value == "":
        return empty
    if type(value) is int:  # a probability, a share: what the general path would print, 8 × sooner
        return f"{value} %"
    number = Decimal(str(value)).quantize(CENT).normalize()
    text = f"{number:f}".replace(".", ",")
    return f"{text} %"
