"""Premiums, losses and loss ratio per client and product by year; LTV and cross-sell potential.

The loss ratio (убыточность) is incurred losses — paid plus reserved on claims whose event
fell in the period — divided by the premium of policies that started in the period, in
per cent. «The last three years» are the current calendar year and the two before it, so
a request made in March still sees two full years. A client without premiums in the period
has no loss ratio (None), which is not the same as 0 %.

LTV potential is what a client could bring beyond today: the annual premium of policies in
force now, the products of the broker's line the client does not hold (each with the
average premium clients of the same segment pay for it — the cross-sell estimate, taken
over the latest 500 policies in force so its cost stays flat as the book grows), and the
client's branches (cards with the same INN and another KPP) with and without policies.

Everything is a few grouped queries per client, so the approver's page stays fast however
long the history is (``bench/discounts.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import String, and_, func, literal, select, union_all
from sqlalchemy.orm import Session

from models.clients.cards import Client
from models.insurance.policies import PRODUCT_LINES, Claim, Policy, PolicyStatus

YEARS = 3
ZERO = Decimal("0")


def ratio(losses: Decimal, premium: Decimal) -> Decimal | None:
    """``losses / premium`` in per cent with one decimal; None without premium."""
    if not premium:
        return None
    return (Decimal(losses) * 100 / Decimal(premium)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class YearFigures:
    """One year of one product (or of all products): premium, incurred losses, claims, loss ratio."""

    year: int
    premium: Decimal = ZERO
    losses: Decimal = ZERO
    claims: int = 0

    @property
    def loss_ratio(self) -> Decimal | None:
        return ratio(self.losses, self.premium)


@dataclass
class ProductHistory:
    """A product's years (oldest first) and their totals."""

    product: str
    years: list[YearFigures]

    @property
    def premium(self) -> Decimal:
        return sum((y.premium for y in self.years), ZERO)

    @property
    def losses(self) -> Decimal:
        return sum((y.losses for y in self.years), ZERO)

    @property
    def claims(self) -> int:
        return sum(y.claims for y in self.years)

    @property
    def loss_ratio(self) -> Decimal | None:
        return ratio(self.losses, self.premium)


@dataclass
class CrossSell:
    """A product the client does not hold, with what clients of its segment pay for it on average."""

    product: str
    typical_premium: Decimal | None


@dataclass
class Branch:
    client_id: int
    name: str
    kpp: str | None
    insured: bool


@dataclass
class InsuranceContext:
    """What the approver's panel and renewals read about a client's insurance."""

    client_id: int
    products: list[ProductHistory]
    total: ProductHistory
    annual_premium: Decimal  # policies in force today
    held: list[str]
    cross_sell: list[CrossSell]
    branches: list[Branch] = field(default_factory=list)
    client_since: int | None = None  # year of the first policy

    @property
    def potential_premium(self) -> Decimal:
        """The cross-sell estimate: typical annual premiums of the products not held yet."""
        return sum((c.typical_premium or ZERO for c in self.cross_sell), ZERO)

    def product(self, name: str) -> ProductHistory:
        found = next((p for p in self.products if p.product == name), None)
        return found or ProductHistory(name, [YearFigures(y.year) for y in self.total.years])


def period_years(today: date, years: int = YEARS) -> list[int]:
    """The calendar years the history covers, oldest first (the current one included)."""
    return list(range(today.year - years + 1, today.year + 1))


def _year(column):
    return func.extract("year", column)


def history(session: Session, client_id: int, today: date, years: int = YEARS) -> list[ProductHistory]:
    """Premiums, losses and claims per product and year for the last ``years`` years (two queries)."""
    span = period_years(today, years)
    start, end = date(span[0], 1, 1), date(span[-1], 12, 31)
    figures: dict[str, dict[int, YearFigures]] = {}

    def cell(product: str, year: int) -> YearFigures:
        row = figures.setdefault(product, {y: YearFigures(y) for y in span})
        return row[int(year)]

    premiums = session.execute(
        select(Policy.product, _year(Policy.starts_on), func.sum(Policy.premium))
        .where(
            Policy.client_id == client_id,
            Policy.starts_on.between(start, end),
            Policy.status != PolicyStatus.CANCELLED,
        )
        .group_by(Policy.product, _year(Policy.starts_on))
    )
    for product, year, premium in premiums:
        cell(product, year).premium = Decimal(premium or 0)
    losses = session.execute(
        select(Claim.product, _year(Claim.occurred_on), func.sum(Claim.paid + Claim.reserved), func.count())
        .where(Claim.client_id == client_id, Claim.occurred_on.between(start, end))
        .group_by(Claim.product, _year(Claim.occurred_on))
    )
    for product, year, incurred, count in losses:
        target = cell(product, year)
        target.losses, target.claims = Decimal(incurred or 0), int(count)
    order = {name: i for i, name in enumerate(PRODUCT_LINES)}
    return [
        ProductHistory(p, [figures[p][y] for y in span])
        for p in sorted(figures, key=lambda name: (order.get(name, len(order)), name))
    ]


def _total(products: list[ProductHistory], span: list[int]) -> ProductHistory:
    years = []
    for index, year in enumerate(span):
        cells = [p.years[index] for p in products]
        years.append(
            YearFigures(
                year,
                sum((c.premium for c in cells), ZERO),
                sum((c.losses for c in cells), ZERO),
                sum(c.claims for c in cells),
            )
        )
    return ProductHistory("Все продукты", years)


def loss_ratio(
    session: Session, client_id: int, product: str | None, today: date, years: int = YEARS
) -> Decimal | None:
    """The client's loss ratio (per cent) for ``product`` (None: all products) over the last ``years``."""
    products = history(session, client_id, today, years)
    chosen = [p for p in products if product is None or p.product == product]
    if not chosen:
        return None
    return _total(chosen, period_years(today, years)).loss_ratio


TYPICAL_SAMPLE = 500  # the latest policies in force a typical premium is averaged over


def _typical_premiums(
    session: Session, segment: str | None, products: list[str], today: date
) -> dict[str, Decimal]:
    """Average premium of the latest ``TYPICAL_SAMPLE`` policies in force, per product, among clients of
    ``segment`` (else all): an estimate, bounded in cost however large the book grows (one short walk of
    ``ix_insurance_policy_product`` per product, newest first, over the last year's policies). The
    products' averages come in one statement (``UNION ALL``): a client card, a discount request and its
    sign-off task ask for every product line the client does not hold, which was a statement each."""
    branches = []
    for product in products:
        latest = (
            select(Policy.premium)
            .where(
                Policy.product == product,
                Policy.starts_on <= today,
                Policy.starts_on > today - timedelta(days=366),
                Policy.ends_on >= today,
                Policy.status != PolicyStatus.CANCELLED,
            )
            .order_by(Policy.starts_on.desc())
            .limit(TYPICAL_SAMPLE)
        )
        if segment:
            latest = latest.join(Client, Client.id == Policy.client_id).where(Client.segment == segment)
        sample = latest.subquery()
        branches.append(select(literal(product, String).label("product"), func.avg(sample.c.premium))
                        .select_from(sample))
    if not branches:
        return {}
    averages = session.execute(union_all(*branches))  # one product: the plain SELECT
    return {product: Decimal(average).quantize(Decimal("1000"), ROUND_HALF_UP)
            for product, average in averages if average is not None}


def _branches(session: Session, client: Client) -> list[Branch]:
    if not client.inn or len(client.inn) != 10:
        return []
    insured = select(Policy.id).where(Policy.client_id == Client.id).exists()
    rows = session.execute(
        select(Client.id, Client.short_name, Client.full_name, Client.kpp, insured)
        .where(and_(Client.inn == client.inn, Client.id != client.id))
        .order_by(Client.id)
    )
    return [Branch(i, short or full, kpp, bool(has)) for i, short, full, kpp, has in rows]


def client_context(session: Session, client: Client, today: date, years: int = YEARS) -> InsuranceContext:
    """The client's history by product and year, premium in force, cross-sell and branches."""
    products = history(session, client.id, today, years)
    in_force = session.execute(
        select(Policy.product, func.sum(Policy.premium))
        .where(
            Policy.client_id == client.id,
            Policy.starts_on <= today,
            Policy.ends_on >= today,
            Policy.status != PolicyStatus.CANCELLED,
        )
        .group_by(Policy.product)
    ).all()
    held = [p for p in PRODUCT_LINES if p in {product for product, _ in in_force}]
    missing = [p for p in PRODUCT_LINES if p not in held]
    typical = _typical_premiums(session, client.segment, missing, today)
    since = session.scalar(select(func.min(Policy.starts_on)).where(Policy.client_id == client.id))
    return InsuranceContext(
        client_id=client.id,
        products=products,
        total=_total(products, period_years(today, years)),
        annual_premium=sum((Decimal(v or 0) for _, v in in_force), ZERO),
        held=held,
        cross_sell=[CrossSell(p, typical.get(p)) for p in missing],
        branches=_branches(session, client),
        client_since=since.year if since else None,
    )
