"""The renewal offer re-priced by the client's loss ratio for the product (three years).

Where the loss ratio is known the premium moves with it: below 40 % the client gets a
loyalty rebate (−5 %), 40–70 % keeps the price, 70–100 % adds 10 %, above 100 % adds 25 %;
without premiums or claims on record («нет данных») the premium stays. The bands are the demo
broker's pricing habit; the discount sign-off still decides any retention discount on top.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from models.contracts.contracts import Contract
from models.insurance.service import loss_ratio

BANDS: tuple[tuple[Decimal, Decimal, str], ...] = (
    (Decimal("40"), Decimal("0.95"), "убыточность {lr} % < 40 %: скидка за лояльность 5 %"),
    (Decimal("70"), Decimal("1.00"), "убыточность {lr} %: премия без изменений"),
    (Decimal("100"), Decimal("1.10"), "убыточность {lr} % > 70 %: надбавка 10 %"),
)
WORST = (Decimal("1.25"), "убыточность {lr} % > 100 %: надбавка 25 %")


@dataclass(frozen=True)
class Priced:
    premium: Decimal
    loss_ratio: Decimal | None
    factor: Decimal
    reason: str

    def as_dict(self) -> dict:
        return {
            "premium": str(self.premium),
            "loss_ratio": str(self.loss_ratio) if self.loss_ratio is not None else None,
            "factor": str(self.factor),
            "reason": self.reason,
        }


def reprice(session: Session, contract: Contract, today: date) -> Priced:
    """The premium to offer for renewing ``contract``, with the reason in words."""
    ratio = loss_ratio(session, contract.client_id, contract.product, today)
    if ratio is None:
        factor, reason = Decimal("1.00"), "убыточность неизвестна: премия без изменений"
    else:
        lr = f"{ratio:.0f}"
        factor, template = next(((f, t) for bound, f, t in BANDS if ratio < bound), WORST)
        reason = template.format(lr=lr)
    premium = (contract.premium * factor).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return Priced(premium, ratio, factor, reason)
