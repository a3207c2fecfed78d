"""«На продление»: contracts ending soon with their risk and renewal deal, and the churn figures.

``renewal_board`` lists the contracts a user may see ending within 30/60/90 days (the senior
manager sees the department's, the head everyone's, a manager their own — the contract scope
rule), with the premium at stake, the risk zone and its reasons, the renewal deal's stage and
its last activity, and the manager; filters: product, manager, zone, period.

``churn_report`` counts, for the contracts whose end fell in a month or quarter, how many (and
how much premium) were renewed and how many churned, per manager and per product, against the
previous period. A contract counts as renewed when a contract continues it (``renewed_from``);
as churned when its renewal closed «Не продлено», or it ended without a successor; contracts
still to end without an outcome are pending and count in neither.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased, joinedload

from models.contracts.contracts import Contract, ContractStatus
from models.contracts.renewals import RENEWAL_LABELS, ContractRenewal, ContractRisk, RenewalStatus
from models.contracts.risk import ZONE_LABELS
from models.identity.users import User
from models.platform.permissions import scoped
from models.sales.deals import Deal

PERIODS = (30, 60, 90)
ZONES = ("red", "yellow", "green")


@dataclass(frozen=True)
class BoardFilter:
    product: str | None = None
    manager_id: int | None = None
    zone: str | None = None
    period: int = 90


@dataclass(frozen=True)
class BoardRow:
    contract: Contract
    days_left: int
    zone: str | None
    score: int | None
    signals: list[dict]
    renewal: ContractRenewal | None
    deal: Deal | None

    @property
    def bucket(self) -> int:
        return next(p for p in PERIODS if self.days_left < p) if self.days_left < PERIODS[-1] else PERIODS[-1]

    @property
    def zone_label(self) -> str:
        return ZONE_LABELS.get(self.zone or "", "не оценён")

    @property
    def renewal_label(self) -> str:
        return RENEWAL_LABELS.get(self.renewal.status, "") if self.renewal else "ещё не начато"


@dataclass
class Board:
    rows: list[BoardRow]
    flt: BoardFilter
    today: date
    buckets: dict[int, tuple[int, Decimal]]
    managers: list[User]
    products: list[str]

    @property
    def premium_at_stake(self) -> Decimal:
        return sum((r.contract.premium for r in self.rows), Decimal("0"))


def renewal_board(session: Session, user: User, today: date, flt: BoardFilter) -> Board:
    """The contracts ``user`` may see ending within ``flt.period`` days, with their risk and deal."""
    period = flt.period if flt.period in PERIODS else 90
    stmt = (
        scoped(user, Contract)
        .where(
            Contract.status == ContractStatus.ACTIVE,
            Contract.ends_on >= today,
            Contract.ends_on < today + timedelta(days=period),
        )
        .options(joinedload(Contract.client), joinedload(Contract.owner))
        .order_by(Contract.ends_on, Contract.id)
    )
    if flt.product:
        stmt = stmt.where(Contract.product == flt.product)
    if flt.manager_id:
        stmt = stmt.where(Contract.owner_id == flt.manager_id)
    if flt.zone in ZONES:
        zoned = select(ContractRisk.contract_id).where(ContractRisk.zone == flt.zone)
        stmt = stmt.where(Contract.id.in_(zoned))
    contracts = list(session.scalars(stmt.limit(2000)).unique())
    ids = [c.id for c in contracts]
    risks = {
        r.contract_id: r
        for r in session.scalars(select(ContractRisk).where(ContractRisk.contract_id.in_(ids)))
    }
    renewals = {
        r.contract_id: r
        for r in session.scalars(
            select(ContractRenewal)
            .where(ContractRenewal.contract_id.in_(ids))
            .options(joinedload(ContractRenewal.deal).joinedload(Deal.stage))
        )
    }
    rows = []
    for contract in contracts:
        risk, renewal = risks.get(contract.id), renewals.get(contract.id)
        rows.append(
            BoardRow(
                contract,
                (contract.ends_on - today).days,
                risk.zone if risk else None,
                risk.score if risk else None,
                list(risk.signals or []) if risk else [],
                renewal,
                renewal.deal if renewal else None,
            )
        )
    buckets = {p: (0, Decimal("0")) for p in PERIODS}
    for row in rows:
        count, premium = buckets[row.bucket]
        buckets[row.bucket] = (count + 1, premium + row.contract.premium)
    managers = list(
        session.scalars(
            select(User)
            .where(User.id.in_(scoped(user, Contract, select(Contract.owner_id))))
            .order_by(User.full_name)
        )
    )
    products = sorted({c.product for c in contracts} | ({flt.product} if flt.product else set()))
    return Board(
        rows, BoardFilter(flt.product, flt.manager_id, flt.zone, period), today, buckets, managers, products
    )


# --- churn ---------------------------------------------------------------------------------------


def period_bounds(kind: str, today: date, back: int = 0) -> tuple[date, date]:
    """[start, end) of the month or quarter containing ``today``, ``back`` periods earlier."""
    months = 3 if kind == "quarter" else 1
    first_month = ((today.month - 1) // months) * months + 1
    index = today.year * 12 + first_month - 1 - back * months
    start = date(index // 12, index % 12 + 1, 1)
    end_index = index + months
    return start, date(end_index // 12, end_index % 12 + 1, 1)


@dataclass
class Rates:
    renewed: int = 0
    churned: int = 0
    pending: int = 0
    renewed_premium: Decimal = Decimal("0")
    churned_premium: Decimal = Decimal("0")

    def _rate(self, part: Decimal | int, other: Decimal | int) -> Decimal | None:
        total = part + other
        return (Decimal(part) * 100 / Decimal(total)).quantize(Decimal("0.1")) if total else None

    @property
    def renewal_rate(self) -> Decimal | None:
        return self._rate(self.renewed, self.churned)

    @property
    def churn_rate(self) -> Decimal | None:
        return self._rate(self.churned, self.renewed)

    @property
    def renewal_rate_premium(self) -> Decimal | None:
        return self._rate(self.renewed_premium, self.churned_premium)

    @property
    def churn_rate_premium(self) -> Decimal | None:
        return self._rate(self.churned_premium, self.renewed_premium)

    def as_dict(self) -> dict:
        def text(value: Decimal | None) -> str | None:
            return str(value) if value is not None else None

        return {
            "renewed": self.renewed,
            "churned": self.churned,
            "pending": self.pending,
            "renewed_premium": str(self.renewed_premium),
            "churned_premium": str(self.churned_premium),
            "renewal_rate": text(self.renewal_rate),
            "churn_rate": text(self.churn_rate),
            "renewal_rate_premium": text(self.renewal_rate_premium),
            "churn_rate_premium": text(self.churn_rate_premium),
        }


@dataclass
class PeriodFigures:
    start: date
    end: date
    total: Rates = field(default_factory=Rates)
    by_manager: dict[str, Rates] = field(default_factory=lambda: defaultdict(Rates))
    by_product: dict[str, Rates] = field(default_factory=lambda: defaultdict(Rates))

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


@dataclass
class ChurnReport:
    kind: str
    current: PeriodFigures
    previous: PeriodFigures

    def managers(self) -> list[str]:
        return sorted(set(self.current.by_manager) | set(self.previous.by_manager))

    def products(self) -> list[str]:
        return sorted(set(self.current.by_product) | set(self.previous.by_product))


def _figures(session: Session, user: User, start: date, end: date, today: date) -> PeriodFigures:
    figures = PeriodFigures(start, end)
    successor = aliased(Contract)
    stmt = (
        scoped(user, Contract)
        .add_columns(
            exists().where(successor.renewed_from_id == Contract.id).label("renewed"),
            select(ContractRenewal.status)
            .where(ContractRenewal.contract_id == Contract.id)
            .scalar_subquery()
            .label("renewal_status"),
        )
        .where(Contract.ends_on >= start, Contract.ends_on < end, Contract.status != ContractStatus.CANCELLED)
        .options(joinedload(Contract.owner))
    )
    for contract, renewed, status in session.execute(stmt).unique():
        if renewed or status == RenewalStatus.RENEWED:
            outcome = "renewed"
        elif status == RenewalStatus.NOT_RENEWED or contract.ends_on < today:
            outcome = "churned"
        else:
            outcome = "pending"
        manager = contract.owner.full_name if contract.owner else "—"
        for rates in (figures.total, figures.by_manager[manager], figures.by_product[contract.product]):
            if outcome == "renewed":
                rates.renewed += 1
                rates.renewed_premium += contract.premium
            elif outcome == "churned":
                rates.churned += 1
                rates.churned_premium += contract.premium
            else:
                rates.pending += 1
    return figures


def churn_report(session: Session, user: User, now: datetime, kind: str = "month") -> ChurnReport:
    """Renewal and churn rates of the current month (or quarter) and of the previous one."""
    kind = kind if kind in ("month", "quarter") else "month"
    today = now.date()
    current = _figures(session, user, *period_bounds(kind, today), today)
    previous = _figures(session, user, *period_bounds(kind, today, back=1), today)
    return ChurnReport(kind, current, previous)
