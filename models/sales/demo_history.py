"""A year of sales behind the demo «today»: deals won and lost, their stage moves, activities, leads.

The dashboard, the reports (weekly, KPI, coaching, plan/fact) and the managers' homes read
months of history; a demo with only today's open deals shows empty charts. Every salesperson
closes a few deals a month across the funnels and products, loses others at the stage where
deals are really lost (no answer early on, price and competitors at the КП, tenders lost), and
logs calls, meetings and e-mails along the way; part of the deals came from site leads.

Rows are added through the ORM (never bulk SQL), so the summaries' session hook keeps the
report tables exact. Deterministic (a seeded generator) and idempotent: nothing is added
when a deal closed more than 30 days ago already exists.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.clients.cards import Client
from models.identity.users import User
from models.sales.activities import Activity
from models.sales.deals import Deal, DealStageHistory, DealStatus
from models.sales.funnels import Funnel, FunnelStage, LossReason, StageOutcome
from models.sales.leads import Lead, LeadStatus

MONTHS = 12
SELLERS = ("manager", "manager2", "manager3", "senior")
# Deals closed per seller and month: (won, lost) ranges; the senior sells less, she leads.
_PACE = {"senior": ((1, 3), (1, 2))}
_DEFAULT_PACE = ((2, 5), (2, 4))
_FUNNEL_SHARE = (("company", 0.72), ("person", 0.16), ("state", 0.12))
_PRODUCTS = {
    "company": ("ДМС", "КАСКО", "Имущество", "Грузы", "Ответственность", "ОСАГО", "НС"),
    "person": ("КАСКО", "ОСАГО", "ДМС", "НС", "Имущество"),
    "state": ("ОСАГО", "Имущество", "ДМС", "Ответственность"),
}
_PREMIUM = {"company": (80, 1600), "person": (15, 160), "state": (300, 4000)}  # thousands of roubles
_CYCLE_DAYS = {"company": (18, 80), "person": (4, 20), "state": (35, 110)}
# Where lost deals stop, and why (by the stage they were lost at).
_LOST_AT = {
    "company": ("qualification", "underwriting", "offer_sent", "offer_sent", "negotiation", "negotiation"),
    "person": ("new", "consultation", "consultation"),
    "state": ("tender_prep", "tender", "tender"),
}
_REASONS = {
    "new": ("Нет ответа",),
    "qualification": ("Нет ответа", "Клиент отказался от страхования"),
    "consultation": ("Дорого", "Клиент отказался от страхования"),
    "underwriting": ("Не прошли андеррайтинг",),
    "offer_sent": ("Дорого", "Выбрали конкурента", "Ушёл к другому брокеру"),
    "negotiation": ("Дорого", "Выбрали конкурента", "Ушёл к другому брокеру", "Прекратил деятельность"),
    "tender_prep": ("Клиент отказался от страхования",),
    "tender": ("Проиграли тендер",),
}
_LOSS_COMMENTS = {
    "Дорого": "Бюджет на страхование урезали, наша цена выше на 12 %",
    "Выбрали конкурента": "Конкурент дал франшизу ниже и рассрочку платежа",
    "Ушёл к другому брокеру": "Брокер предложил комплексную программу вместе с банком",
    "Не прошли андеррайтинг": "Высокая убыточность за три года, страховщики отказали",
    "Проиграли тендер": "Победитель снизил цену контракта на 18 %",
    "Нет ответа": "Три звонка и два письма без ответа",
    "Клиент отказался от страхования": "Решили не страховать в этом году",
    "Прекратил деятельность": "Компания закрывает направление",
}
_ACTIVITIES = (
    ("call", "Первичный звонок: потребность и сроки", "Договорились о встрече"),
    ("meeting", "Встреча с ЛПР", "Собрали данные для расчёта"),
    ("email", "Запрос документов для андеррайтинга", "Клиент прислал анкету и список ТС"),
    ("call", "Обсуждение расчёта", "Клиент сравнивает с текущим страховщиком"),
    ("email", "Отправлено коммерческое предложение", "КП с тремя вариантами франшизы"),
    ("meeting", "Презентация КП финансовому директору", "Попросили скидку на ДМС"),
    ("call", "Согласование условий договора", "Юристы клиента смотрят проект"),
)


def _work_moment(day: date, rng: random.Random) -> datetime:
    """A moment in Moscow working hours (09:00–18:00 MSK is 06:00–15:00 UTC) on a weekday."""
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return datetime.combine(day, time(6 + rng.randrange(9), rng.randrange(60)), tzinfo=UTC)


def _closing(month: date, now: datetime, rng: random.Random) -> datetime | None:
    """A closing moment in ``month``; this month's are spread over the days gone by, so the
    dashboard's current month has closings even early in the month."""
    this_month = month == now.date().replace(day=1)
    days = max((now.date() - month).days, 1) if this_month else 28
    moment = _work_moment(month + timedelta(days=rng.randrange(days)), rng)
    return moment if moment < now - timedelta(hours=2) else None


def history_exists(session: Session, now: datetime) -> bool:
    old = now - timedelta(days=30)
    return session.scalar(select(Deal.id).where(Deal.closed_at < old).limit(1)) is not None


def _pick_funnel(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for code, share in _FUNNEL_SHARE:
        total += share
        if roll < total:
            return code
    return "company"


def _path(funnel: Funnel, won: bool, rng: random.Random) -> list[FunnelStage]:
    """The stages a deal went through: all open stages to «won», or up to where it was lost."""
    open_stages = [s for s in funnel.stages if s.outcome == StageOutcome.OPEN]
    final = next(s for s in funnel.stages if s.outcome == (StageOutcome.WON if won else StageOutcome.LOST))
    if won:
        return [*open_stages, final]
    stop = funnel.stage(rng.choice(_LOST_AT[funnel.code])) or open_stages[0]
    return [*open_stages[: open_stages.index(stop) + 1], final]


def _deal(
    session: Session,
    client: Client,
    funnel: Funnel,
    seller: User,
    closed_at: datetime,
    won: bool,
    rng: random.Random,
    reasons: dict[str, LossReason],
) -> Deal:
    low, high = _PREMIUM[funnel.code]
    premium = Decimal(rng.randrange(low, high) * 1000)
    products = rng.sample(_PRODUCTS[funnel.code], 2 if rng.random() < 0.35 else 1)
    cycle = timedelta(days=rng.randrange(*_CYCLE_DAYS[funnel.code]), hours=rng.randrange(8))
    created = closed_at - cycle
    path = _path(funnel, won, rng)
    deal = Deal(
        title=f"{client.display_name}: {products[0]}",
        client=client,
        funnel=funnel,
        owner_id=seller.id,
        premium=premium,
        amount=premium * rng.choice((40, 60, 80, 120)),
        product_lines=products,
        created_at=created,
        expected_close_date=closed_at.date(),
        competitor_offers=[],
    )
    moments = sorted(created + cycle * rng.uniform(0.05, 0.95) for _ in path[1:-1])
    entries = [created, *moments, closed_at]
    for n, stage in enumerate(path):
        left = entries[n + 1] if n + 1 < len(path) else None
        deal.history.append(
            DealStageHistory(
                stage=stage,
                entered_at=entries[n],
                left_at=left,
                user_id=seller.id,
                seconds=int((left - entries[n]).total_seconds()) if left else None,
            )
        )
    final = path[-1]
    deal.stage, deal.stage_entered_at, deal.probability = final, closed_at, final.probability
    deal.closed_at = closed_at
    if won:
        deal.status = DealStatus.WON
        start = closed_at.date() + timedelta(days=rng.randrange(1, 10))
        deal.contract_number = f"{products[0][:3].upper()}-{start:%y%m}-{rng.randrange(1000, 9999)}"
        deal.contract_start = start
        deal.contract_end = (
            start.replace(year=start.year + 1) - timedelta(days=1)
            if start.day < 29
            else (start + timedelta(days=364))
        )
        deal.contract_premium = premium
        if rng.random() < 0.3:
            deal.requested_discount = Decimal(rng.choice(("5.00", "7.50", "10.00")))
            deal.contract_premium = (premium * (100 - deal.requested_discount) / 100).quantize(Decimal("1"))
    else:
        deal.status = DealStatus.LOST
        name = rng.choice(_REASONS[path[-2].code])
        deal.loss_reason = reasons.get(name)
        deal.loss_comment = _LOSS_COMMENTS.get(name)
    session.add(deal)
    return deal


def _activities(deal: Deal, seller: User, rng: random.Random) -> list[Activity]:
    """Calls, meetings and e-mails over the deal's life (``deal_id`` is set once the deal has an id)."""
    start, end = deal.created_at, deal.closed_at or deal.created_at
    count = 2 + rng.randrange(4) + (1 if deal.status == DealStatus.WON else 0)
    found = []
    for n in range(count):
        kind, subject, outcome = _ACTIVITIES[min(n, len(_ACTIVITIES) - 1) if n < 2 else rng.randrange(2, 7)]
        moment = _work_moment((start + (end - start) * (n + 0.5) / count).date(), rng)
        moment = min(max(moment, start), end)
        found.append(
            Activity(
                kind=kind,
                subject=subject,
                outcome=outcome,
                happened_at=moment,
                created_at=moment,
                user_id=seller.id,
                client_id=deal.client.id,
            )
        )
    deal.last_activity_at = max(a.happened_at for a in found)
    return found


def _lead(deal: Deal, seller: User, rng: random.Random) -> Lead:
    """The site lead a deal came from (qualified on the deal's first day)."""
    client = deal.client
    contact = client.contacts[0] if client.contacts else None
    return Lead(
        source="site",
        utm_source=rng.choice(("yandex", "google", None)),
        name=contact.full_name if contact else None,
        company=client.display_name,
        inn=client.inn,
        phone=client.phone,
        email=client.email,
        client_kind=client.kind,
        territory=client.territory,
        industry=client.industry,
        status=LeadStatus.QUALIFIED,
        client_id=client.id,
        deal_id=deal.id,
        funnel_code=deal.funnel.code,
        assigned_to_id=seller.id,
        routing_reason="назначен по правилу: демо-история",
        created_at=deal.created_at - timedelta(hours=3),
        closed_at=deal.created_at,
    )


_REJECTED = ("Уже застрахованы до конца года", "Нет потребности", "Ошиблись номером", "Спам")


def _rejected_leads(
    session: Session, seller: User, month_start: date, rng: random.Random, now: datetime
) -> int:
    added = 0
    for _ in range(rng.randrange(1, 4)):
        created = _work_moment(month_start + timedelta(days=rng.randrange(27)), rng)
        if created + timedelta(hours=4) >= now:
            continue
        session.add(
            Lead(
                source=rng.choice(("site", "phone")),
                name=rng.choice(("Николай", "Светлана", "Игорь")),
                phone=f"+7916{rng.randrange(10**6, 10**7)}",
                client_kind="company",
                status=LeadStatus.REJECTED,
                assigned_to_id=seller.id,
                created_at=created,
                closed_at=created + timedelta(hours=rng.randrange(1, 4)),
                rejection_reason=rng.choice(_REJECTED),
                routing_reason="назначен по правилу: демо-история",
            )
        )
        added += 1
    return added


def _month_starts(today: date, count: int) -> list[date]:
    first = today.replace(day=1)
    months = []
    for back in range(count, -1, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        months.append(date(year, month + 1, 1))
    return months


def ensure_sales_history(session: Session, now: datetime, seed: int = 17,
                         months: int = MONTHS) -> dict[str, int]:
    """Twelve months (``months``; and this month so far) of closed deals per seller; see the module
    docstring. The test suite asks for fewer (``CRM_DEMO_HISTORY_MONTHS``): it loads the demo often."""
    if history_exists(session, now):
        return {"history_deals": 0, "history_activities": 0, "history_leads": 0}
    rng = random.Random(seed)
    funnels = {f.code: f for f in session.scalars(select(Funnel))}
    reasons = {r.name: r for r in session.scalars(select(LossReason))}
    sellers = [u for u in session.scalars(select(User).where(User.login.in_(SELLERS)).order_by(User.id))]
    clients = list(session.scalars(select(Client).order_by(Client.id)))
    kinds = {"company": ("company", "entrepreneur"), "person": ("person",), "state": ("state",)}
    deals = activities = leads = 0
    for month in _month_starts(now.date(), months):
        made: list[tuple[Deal, list[Activity], Lead | None]] = []
        for seller in sellers:
            own = [c for c in clients if c.owner_id == seller.id] or clients
            (won_low, won_high), (lost_low, lost_high) = _PACE.get(seller.login, _DEFAULT_PACE)
            outcomes = [True] * rng.randint(won_low, won_high) + [False] * rng.randint(lost_low, lost_high)
            for won in outcomes:
                closed_at = _closing(month, now, rng)
                if closed_at is None:
                    continue
                code = _pick_funnel(rng)
                pool = [c for c in own if c.kind in kinds[code]] or [
                    c for c in clients if c.kind in kinds[code]
                ]
                if code not in funnels or not pool:
                    continue
                deal = _deal(session, rng.choice(pool), funnels[code], seller, closed_at, won, rng, reasons)
                made.append(
                    (
                        deal,
                        _activities(deal, seller, rng),
                        _lead(deal, seller, rng) if rng.random() < 0.4 else None,
                    )
                )
            leads += _rejected_leads(session, seller, month, rng, now)
        session.flush()  # three flushes a month, not three a deal: PostgreSQL pays a round trip each
        for deal, found, lead in made:
            for activity in found:
                activity.deal_id = deal.id
            session.add_all(found)
            if lead is not None:
                lead.deal_id = deal.id
                session.add(lead)
        session.flush()
        for deal, found, lead in made:
            deal.lead_id = lead.id if lead is not None else None
            activities += len(found)
            leads += lead is not None
        deals += len(made)
        session.flush()
    return {"history_deals": deals, "history_activities": activities, "history_leads": leads}
