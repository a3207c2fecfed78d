"""Demo insurance history: three years of policies and claims for the demo companies.

Deterministic (a seeded generator) and loaded once: nothing is added when policies exist.
Clients with open deals hold the deal's first product already (a renewal or an extension), so
a discount asked on a demo deal shows a real history.
Premiums follow the client's segment; most clients have a loss ratio of 20–60 %, about one
in ten is loss-making (over 70 %, the underwriting override of the discount matrix), and a
few large companies get a branch card (same INN, another KPP) so the LTV panel has
branches to show, one insured and one not.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.clients.cards import Client, ClientKind
from models.clients.requisites import make_kpp
from models.clients.service import create_client
from models.identity.users import find_user
from models.insurance.policies import Claim, ClaimStatus, Policy, PolicyStatus
from models.platform.registry import DemoContext
from models.sales.deals import Deal, DealStatus

_INSURERS = ("Ингосстрах", "РЕСО-Гарантия", "АльфаСтрахование", "СОГАЗ", "Ренессанс", "ВСК")
# Typical premium ranges by segment, RUB thousands, for one product a year.
_PREMIUM = {"Крупный": (600, 4500), "Средний": (150, 1200), "Малый": (30, 250)}
_RATE = {
    "КАСКО": Decimal("3.0"),
    "ОСАГО": Decimal("1.0"),
    "ДМС": Decimal("5.0"),
    "НС": Decimal("0.5"),
    "Имущество": Decimal("0.2"),
    "Грузы": Decimal("0.15"),
    "Ответственность": Decimal("0.3"),
}
_WEIGHTS = (
    ("КАСКО", 5),
    ("ДМС", 4),
    ("Имущество", 4),
    ("ОСАГО", 3),
    ("Грузы", 2),
    ("Ответственность", 2),
    ("НС", 1),
)
_CLAIMS = {
    "КАСКО": "ДТП, повреждение кузова",
    "ОСАГО": "ДТП по вине водителя страхователя",
    "ДМС": "Обращения сотрудников в клиники",
    "НС": "Травма сотрудника",
    "Имущество": "Залив склада",
    "Грузы": "Повреждение груза при перевозке",
    "Ответственность": "Претензия третьего лица",
}


def _products(rng: random.Random) -> list[str]:
    names = [name for name, _ in _WEIGHTS]
    chosen = set(rng.choices(names, weights=[w for _, w in _WEIGHTS], k=rng.randint(1, 3)))
    return [name for name in names if name in chosen]


def _claims_for(
    rng: random.Random, policy: Policy, target_ratio: float, today: date, seq: list[int]
) -> list[Claim]:
    budget = float(policy.premium) * target_ratio
    count = rng.randint(1, 3) if budget else 0
    claims = []
    for n in range(count):
        day = policy.starts_on + timedelta(days=rng.randrange(10, 350))
        if day > today:
            continue
        amount = Decimal(int(budget / count * rng.uniform(0.7, 1.3) / 100) * 100)
        recent = (today - day).days < 90
        reserved = (amount * Decimal("0.6")).quantize(Decimal("1")) if recent else Decimal("0")
        seq[0] += 1
        claims.append(
            Claim(
                client_id=policy.client_id,
                policy_id=policy.id,
                number=f"У-{day.year}-{seq[0]:06d}",
                product=policy.product,
                occurred_on=day,
                paid=amount - reserved,
                reserved=reserved,
                status=ClaimStatus.OPEN if reserved else ClaimStatus.SETTLED,
                description=_CLAIMS[policy.product] + (f" (№{n + 1})" if n else ""),
            )
        )
    return claims


def _client_history(
    session: Session,
    rng: random.Random,
    client: Client,
    today: date,
    loss_making: bool,
    seq: list[int],
    renewing: tuple[str, ...] = (),
) -> int:
    """Three years of policies (and claims) of a few products, and of ``renewing`` — the products the
    client's open deals are about: most deals renew or extend insurance the client already has."""
    low, high = _PREMIUM.get(client.segment or "", _PREMIUM["Малый"])
    made = 0
    for product in dict.fromkeys([*_products(rng), *renewing]):
        base = Decimal(rng.randrange(low, high) * 1000)
        insurer = rng.choice(_INSURERS)
        start = date(today.year - 2, rng.randint(1, 12), rng.randint(1, 28))
        while start <= today:
            premium = (base * Decimal(str(rng.uniform(0.9, 1.15)))).quantize(Decimal("1000"))
            end = date(start.year + 1, start.month, start.day) - timedelta(days=1)
            policy = Policy(
                client_id=client.id,
                number=f"{product[:3].upper()}-{start.year}-{client.id:05d}",
                product=product,
                insurer=insurer,
                premium=premium,
                starts_on=start,
                ends_on=end,
                insured_sum=(premium * 100 / _RATE[product]).quantize(Decimal("1000")),
                status=PolicyStatus.ACTIVE if end >= today else PolicyStatus.EXPIRED,
            )
            session.add(policy)
            session.flush()
            ratio = rng.uniform(0.8, 1.4) if loss_making else rng.uniform(0.1, 0.6)
            session.add_all(_claims_for(rng, policy, ratio if rng.random() < 0.8 else 0.0, today, seq))
            made += 1
            start = end + timedelta(days=1)
    return made


def _branches(session: Session, companies: list[Client]) -> int:
    """A branch card (same INN, the KPP of another region) for the first two large companies."""
    admin = find_user(session, "admin")
    large = [c for c in companies if c.segment == "Крупный" and c.inn and len(c.inn) == 10][:2]
    made = 0
    for n, head in enumerate(large):
        if admin is None:
            break
        city, region = (("Казань", "16"), ("Новосибирск", "54"))[n]
        create_client(
            session,
            admin,
            {
                "kind": ClientKind.COMPANY.value,
                "full_name": f"{head.full_name} (филиал в г. {city})",
                "short_name": f"{head.short_name or head.full_name} — филиал, {city}",
                "inn": head.inn,
                "kpp": make_kpp(region, "43"),
                "ogrn": head.ogrn,
                "territory": city,
                "segment": head.segment,
                "industry": head.industry,
                "owner_id": head.owner_id,
                "tags": ["demo"],
            },
        )
        made += 1
    session.flush()
    return made


def ensure_demo_history(session: Session, today: date, clients: int = 160) -> dict[str, int]:
    """Policies and claims for the first ``clients`` demo companies and entrepreneurs (once)."""
    if session.scalar(select(func.count(Policy.id))):
        return {"policies": 0, "claims": 0, "branches": 0}
    rng = random.Random(1107)
    companies = list(
        session.scalars(
            select(Client)
            .where(Client.kind.in_((ClientKind.COMPANY.value, ClientKind.ENTREPRENEUR.value)))
            .order_by(Client.id)
            .limit(clients)
        )
    )
    seq = [0]
    policies = 0
    renewing: dict[int, list[str]] = {}
    open_deals = (
        select(Deal.client_id, Deal.product_lines).where(Deal.status == DealStatus.OPEN).order_by(Deal.id)
    )
    for client_id, lines in session.execute(open_deals):
        renewing.setdefault(client_id, []).extend((lines or [])[:1])
    for index, client in enumerate(companies):
        if index % 7 == 6 and client.id not in renewing:  # some clients have no history with us yet
            continue
        policies += _client_history(
            session,
            rng,
            client,
            today,
            loss_making=index % 10 == 3,
            seq=seq,
            renewing=tuple(renewing.get(client.id, ())),
        )
    branches = _branches(session, companies)
    if companies and branches:
        head = next(c for c in companies if c.segment == "Крупный" and c.inn and len(c.inn) == 10)
        branch = session.scalar(
            select(Client).where(Client.inn == head.inn, Client.id != head.id).order_by(Client.id)
        )
        if branch is not None:
            policies += _client_history(session, rng, branch, today, loss_making=False, seq=seq)
    session.flush()
    return {"policies": policies, "claims": seq[0], "branches": branches}


def seed_insurance(context: DemoContext) -> dict[str, int]:
    return ensure_demo_history(context.session, context.clock.now().date())
