"""The price a discount is taken off, the discount in per cent and in roubles, and what it costs.

The base premium comes from the tariff table (``processes/discount_tariff.dmn``, asked
through ``ProcessEngine.decide``): the rate for the product and the client's segment times
the deal's insured sum. Where the table has no rate (ДМС, ОСАГО, liability: calculated
individually) the base premium is the one underwriting calculated — typed on the request
(by underwriting) or, by default, the premium recorded on the deal at «Расчёт и
андеррайтинг». Only an underwriter may type a base premium where the table has a rate.

A discount is typed in per cent (0 < d ≤ 100) or in roubles (0 < d ≤ base premium); both
forms are kept, rounded to kopecks and hundredths of a per cent. The margin effect is
what the approver weighs: the premium lost, the broker's commission lost (the table's
commission rate), and the client's loss ratio before and after the discount.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from engine.api import ProcessEngine
from models.platform.roles import Role
from models.sales.deals import Deal

PROCESS = "discount_signoff"
TARIFF_TASK = "tariff"
AUTHORITY_TASK = "authority"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class BasePrice:
    """The base premium of a product for a deal and where it comes from."""

    premium: Decimal
    source: str  # tariff | underwriting
    rate: Decimal | None  # % of the insured sum (tariff)
    insured_sum: Decimal | None
    commission: Decimal | None  # the broker's, % of premium

    @property
    def source_label(self) -> str:
        if self.source == "tariff" and self.rate is not None:
            return f"по тарифу {_plain(self.rate)} % страховой суммы"
        return "расчёт андеррайтинга"


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")


def decimal_value(value: Any) -> Decimal | None:
    """A number typed the Russian way («1 500 000,50», «12,5», a trailing ₽), None or ``ValueError``."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        text = str(value).replace("\u00a0", "").replace(" ", "").replace("₽", "").replace(",", ".")
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(str(value)) from None
    if not number.is_finite():
        raise ValueError(str(value))
    return number


def tariff(engine: ProcessEngine, product: str, segment: str | None) -> tuple[Decimal | None, Decimal | None]:
    """(rate % of the insured sum or None, broker's commission %) from the tariff table."""
    answer = engine.decide(PROCESS, TARIFF_TASK, {"product": product, "segment": segment or ""})
    rate, commission = answer.outputs.get("tariff_rate"), answer.outputs.get("commission")
    return (
        Decimal(str(rate)) if rate is not None else None,
        Decimal(str(commission)) if commission is not None else None,
    )


def base_price(
    engine: ProcessEngine, deal: Deal, product: str, typed: Any, role: str, errors: dict[str, list[str]]
) -> BasePrice | None:
    """The base premium of ``product`` on ``deal``; problems go to ``errors['base_premium']``."""
    rate, commission = tariff(engine, product, deal.client.segment)
    try:
        entered = decimal_value(typed)
    except ValueError:
        errors["base_premium"] = ["Базовая премия — сумма в рублях, например 1 500 000,50"]
        return None
    if entered is not None and entered <= 0:
        errors["base_premium"] = ["Базовая премия должна быть больше нуля"]
        return None
    if entered is not None and rate is not None and role not in (Role.UNDERWRITER, Role.ADMIN):
        errors["base_premium"] = [
            f"Базовая премия по «{product}» считается по тарифу ({_plain(rate)} % "
            "страховой суммы); вводит её только андеррайтинг"
        ]
        return None
    if entered is not None:
        return BasePrice(entered.quantize(CENT), "underwriting", None, deal.amount, commission)
    if rate is not None:
        if not deal.amount:
            errors["base_premium"] = [
                "Укажите страховую сумму сделки: базовая премия по тарифу "
                f"({_plain(rate)} %) считается от неё"
            ]
            return None
        premium = (deal.amount * rate / 100).quantize(CENT, ROUND_HALF_UP)
        return BasePrice(premium, "tariff", rate, deal.amount, commission)
    if deal.premium:
        return BasePrice(deal.premium, "underwriting", None, deal.amount, commission)
    errors["base_premium"] = [
        f"Тарифа для «{product}» в таблице нет: укажите базовую премию по расчёту "
        "андеррайтинга (или премию в сделке)"
    ]
    return None


def discount_of(
    value: Any, unit: str, base: Decimal, errors: dict[str, list[str]]
) -> tuple[Decimal, Decimal] | None:
    """(per cent, roubles) of a discount typed in ``unit`` (pct | rub); problems go to ``errors``."""
    try:
        number = decimal_value(value)
    except ValueError:
        number = None
        errors["discount"] = ["Скидка — число: процент (например, 12,5) или сумма в рублях"]
        return None
    if number is None:
        errors["discount"] = ["Укажите скидку"]
        return None
    if unit == "rub":
        if number <= 0 or number > base:
            errors["discount"] = [
                f"Скидка в рублях — больше нуля и не больше базовой премии ({_plain(base)} ₽)"
            ]
            return None
        amount = number.quantize(CENT, ROUND_HALF_UP)
        pct = (amount * 100 / base).quantize(CENT, ROUND_HALF_UP)
        return max(pct, CENT), amount
    if unit != "pct":
        errors["discount_unit"] = ["Единица скидки: % или ₽"]
        return None
    if number <= 0 or number > 100:
        errors["discount"] = ["Скидка — больше 0 и не больше 100 %"]
        return None
    if number != number.quantize(CENT):
        errors["discount"] = ["Скидка — с точностью до сотых процента"]
        return None
    pct = number.quantize(CENT)
    return pct, (base * pct / 100).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class MarginEffect:
    """What the discount costs: premium, the broker's commission, and the loss ratio it leaves."""

    base_premium: Decimal
    resulting_premium: Decimal
    discount_amount: Decimal
    commission_rate: Decimal | None
    loss_ratio_before: Decimal | None
    discount_pct: Decimal

    @property
    def commission_before(self) -> Decimal | None:
        if self.commission_rate is None:
            return None
        return (self.base_premium * self.commission_rate / 100).quantize(CENT, ROUND_HALF_UP)

    @property
    def commission_after(self) -> Decimal | None:
        if self.commission_rate is None:
            return None
        return (self.resulting_premium * self.commission_rate / 100).quantize(CENT, ROUND_HALF_UP)

    @property
    def commission_lost(self) -> Decimal | None:
        before, after = self.commission_before, self.commission_after
        return before - after if before is not None and after is not None else None

    @property
    def loss_ratio_after(self) -> Decimal | None:
        """The same losses over the discounted premium."""
        if self.loss_ratio_before is None or self.discount_pct >= 100:
            return None
        return (self.loss_ratio_before * 100 / (100 - self.discount_pct)).quantize(
            Decimal("0.1"), ROUND_HALF_UP
        )


def margin_effect(
    base: Decimal, pct: Decimal, amount: Decimal, commission: Decimal | None, loss_ratio: Decimal | None
) -> MarginEffect:
    return MarginEffect(base, base - amount, amount, commission, loss_ratio, pct)
