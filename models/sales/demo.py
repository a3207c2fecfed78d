"""Demo sales data: funnels, teams, and deals in every stage of every funnel.

Deterministic and idempotent: nothing is added when deals already exist. Deals are
back-dated so the lists show every flag (stuck, no activity, КП expiring, registry).
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.tables import HumanTask, TaskStatus
from models.clients.cards import Client
from models.identity.users import find_user
from models.platform.registry import DemoContext
from models.sales.activities import log_activity
from models.sales.deals import Deal, DealStageHistory, open_deal
from models.sales.demo_history import ensure_sales_history
from models.sales.distribution import reassign_lead
from models.sales.funnels import Funnel, LossReason, StageOutcome, ensure_default_funnels
from models.sales.intake import submit_lead
from models.sales.leads import Lead, LeadStatus, check_lead_input
from models.sales.routing import ensure_default_teams

_PRODUCTS = ("ДМС", "КАСКО", "ОСАГО", "Имущество", "Грузы", "Ответственность", "НС")
_COMPETITORS = ("Ингосстрах", "РЕСО-Гарантия", "АльфаСтрахование", "СОГАЗ", "Ренессанс")


def _clients_by_funnel(session: Session) -> dict[str, list[Client]]:
    clients = list(session.scalars(select(Client).order_by(Client.id)))
    kinds = {"company": ("company", "entrepreneur"), "person": ("person",), "state": ("state",)}
    return {code: [c for c in clients if c.kind in k] for code, k in kinds.items()}


def _backdate(deal: Deal, days: int) -> None:
    moment = deal.stage_entered_at - timedelta(days=days)
    deal.created_at = moment
    deal.stage_entered_at = moment
    deal.history[-1].entered_at = moment


def _close(session: Session, deal: Deal, stage, now: datetime, rng: random.Random) -> None:
    deal.history[-1].left_at = now
    deal.history[-1].seconds = int((now - deal.history[-1].entered_at).total_seconds())
    deal.history.append(DealStageHistory(stage=stage, entered_at=now))
    deal.stage = stage
    deal.probability = stage.probability
    deal.closed_at = now
    if stage.outcome == StageOutcome.WON:
        deal.status = "won"
        deal.contract_number = f"Д-{rng.randrange(10000, 99999)}"
        deal.contract_start = now.date()
        deal.contract_end = date(now.year + 1, now.month, min(now.day, 28))
        deal.contract_premium = deal.premium
    else:
        deal.status = "lost"
        reasons = list(session.scalars(select(LossReason).order_by(LossReason.id)))
        deal.loss_reason = rng.choice(reasons)


def _demo_deal(session: Session, client: Client, funnel: Funnel, stage, n: int, now: datetime,
               rng: random.Random) -> Deal:
    title = f"{client.display_name}: {rng.choice(_PRODUCTS)}"
    premium = Decimal(rng.randrange(30, 3000) * 1000)  # drawn in this order so the demo data stays the same
    deal = open_deal(session, client=client, funnel=funnel, owner_id=client.owner_id, now=now,
                     title=title, premium=premium,
                     amount=Decimal(rng.randrange(5, 500) * 1_000_000),
                     product_lines=rng.sample(_PRODUCTS, 2),
                     expected_close_date=now.date() + timedelta(days=rng.randrange(10, 90)))
    _backdate(deal, rng.choice((1, 2, 5, 12, 20)))
    if stage.outcome != StageOutcome.OPEN:
        _close(session, deal, stage, now, rng)
    elif stage.id != funnel.first_stage.id:
        _close_history_into(deal, stage, now)
    if stage.code in ("offer_sent", "negotiation", "tender"):
        deal.offer_expires_on = now.date() + timedelta(days=n * 5 + 1)
        deal.competitor_offers = [{"who": rng.choice(_COMPETITORS), "conditions": "франшиза 50 000 ₽",
                                   "price": str(premium * Decimal("0.93"))}]
        deal.requested_discount = Decimal("7.50")
    if stage.outcome == StageOutcome.OPEN and stage.probability >= 50:
        # late-stage deals close soon, and one in two has slipped past its date: «горящие» on the dashboard
        deal.expected_close_date = now.date() + timedelta(days=5 if n == 0 else -3)
    if n == 0:
        log_activity(session, kind=rng.choice(("call", "meeting", "email")), subject="Обсуждение условий",
                     outcome="Клиент ждёт расчёт", happened_at=now - timedelta(days=1), now=now,
                     user_id=client.owner_id, deal=deal)
    return deal


def ensure_demo_deals(session: Session, now: datetime, per_stage: int = 2) -> int:
    """Two deals per stage of every funnel, with activities and competitor offers."""
    ensure_default_funnels(session)
    ensure_default_teams(session)
    if session.scalar(select(func.count(Deal.id))):
        return 0
    rng = random.Random(6)
    pools = _clients_by_funnel(session)
    created = 0
    for funnel in session.scalars(select(Funnel).order_by(Funnel.id)):
        pool = pools.get(funnel.code) or []
        for stage in funnel.stages if pool else ():
            for n in range(per_stage):
                _demo_deal(session, pool[(created + n) % len(pool)], funnel, stage, n, now, rng)
                created += 1
    for client in pools.get("company", [])[:1]:
        client.registry_flag = True
    created += _large_deal(session, pools.get("company", []), now)
    session.flush()
    return created


LARGE_PREMIUM = Decimal("7200000")  # above 5 000 000 ₽: its contract goes to the head after the lawyer


def _large_deal(session: Session, companies: list[Client], now: datetime) -> int:
    """One large property deal at the contract stage: its contract's route ends at the head."""
    funnel = session.scalar(select(Funnel).where(Funnel.code == "company"))
    stage = next((s for s in funnel.stages if s.code == "contract"), None) if funnel else None
    if not companies or funnel is None or stage is None:
        return 0
    client = companies[-1]
    deal = open_deal(session, client=client, funnel=funnel, owner_id=client.owner_id, now=now,
                     title=f"{client.display_name}: Имущество (склады и оборудование)", premium=LARGE_PREMIUM,
                     amount=Decimal("2400000000"), product_lines=["Имущество"],
                     expected_close_date=now.date() + timedelta(days=12))
    _backdate(deal, 20)
    _close_history_into(deal, stage, now)
    return 1


def _close_history_into(deal: Deal, stage, now: datetime) -> None:
    """Place a demo deal in a later stage as if it had moved there after a few days."""
    first = deal.history[-1]
    moved_at = first.entered_at + (now - first.entered_at) / 2
    first.left_at = moved_at
    first.seconds = int((moved_at - first.entered_at).total_seconds())
    deal.history.append(DealStageHistory(stage=stage, entered_at=moved_at))
    deal.stage = stage
    deal.stage_entered_at = moved_at
    deal.probability = stage.probability


DEMO_LEADS = (
    ({"name": "Олег Сидоров", "company": "ООО «Быстрая доставка»", "phone": "+7 916 100-20-30",
      "email": "o.sidorov@bystraya-dostavka.ru", "territory": "Москва", "industry": "Логистика",
      "utm_source": "yandex", "utm_campaign": "kasko",
      "comment": "КАСКО на 14 грузовиков, полисы кончаются в марте"},
     None),
    ({"name": "Ирина Волкова", "email": "irina.volkova@mail.ru", "client_kind": "person",
      "comment": "ДМС для семьи"}, None),
    ({"company": "Администрация г. Казани", "email": "zakupki@kzn.ru", "territory": "Казань",
      "industry": "Другое", "comment": "Запрос цены для закупки по 44-ФЗ"}, None),
    ({"name": "Пётр Ильин", "company": "АО «СтройМонтаж»", "phone": "+7 903 555-12-12",
      "territory": "Екатеринбург", "industry": "Строительство"}, {"outcome": "qualified", "premium": "850000",
                                                                  "product": "Имущество"}),
    ({"name": "Случайный посетитель", "email": "test@example.ru"},
     {"outcome": "not_relevant", "reason": "Тестовая заявка, не клиент"}),
    ({"name": "Марина Кравцова", "company": "ООО «ТрансЛайн»", "phone": "+7 (495) 640-18-22",
      "email": "m.kravtsova@translain.ru", "territory": "Москва", "industry": "Транспорт",
      "comment": "Страхование ответственности перевозчика, 40 машин"}, None),
    ({"name": "Андрей Белов", "company": "ООО «Фармация Плюс»", "phone": "+7 (495) 777-31-05",
      "email": "belov@farmplus.ru", "territory": "Москва", "industry": "Медицина",
      "comment": "ДМС для 120 сотрудников с 1 числа следующего месяца"}, None),
    ({"name": "Елена Гусева", "company": "ООО «Гусева и партнёры»", "phone": "+7 926 318-44-90",
      "email": "e.guseva@gusevapartners.ru", "territory": "Москва", "industry": "Финансы",
      "comment": "Страхование офиса и оборудования, перезвоните после 15:00"}, None),
    ({"name": "Тимур Сафин", "company": "ООО «Агрохолдинг Заречье»", "phone": "+7 (843) 210-55-17",
      "email": "safin@zarechye-agro.ru", "industry": "Сельское хозяйство",
      "comment": "Страхование урожая и техники"}, None),
)
# Who takes open demo leads when routing by load left a salesperson without any (the senior
# hands them over, as she would on Monday morning; the hand-over is in the lead's history).
LEAD_TAKERS = ("manager", "manager2", "manager3")


def _demo_leads(context: DemoContext) -> int:
    session = context.session
    engine = context.engine()
    if engine.latest_definition("lead_handling") is None or session.scalar(select(func.count(Lead.id))):
        return 0
    for raw, outcome in DEMO_LEADS:
        checked = check_lead_input({**raw, "source": "site"})
        lead = submit_lead(session, engine, checked.values, source="site", user_id=None, remote_addr=None)
        if outcome is None:
            continue
        task = session.scalar(select(HumanTask).where(HumanTask.business_type == "lead",
                                                      HumanTask.business_id == lead.id,
                                                      HumanTask.status == TaskStatus.OPEN))
        if task is None:
            raise LookupError(f"Демо-лид #{lead.id}: процесс не создал задачу")
        engine.complete_task(task.id, outcome, task.assignee_id)
    _share_leads(session, context.clock.now())
    return len(DEMO_LEADS)


def _share_leads(session: Session, now: datetime) -> None:
    """Give every salesperson at least two open leads, taken from whoever has the most."""
    senior = find_user(session, "senior")
    takers = [u for u in (find_user(session, login) for login in LEAD_TAKERS) if u is not None]
    if senior is None:
        return
    for taker in takers:
        while True:
            open_leads = list(session.scalars(select(Lead).where(Lead.status == LeadStatus.ASSIGNED)
                                              .order_by(Lead.id)))
            mine = [x for x in open_leads if x.assigned_to_id == taker.id]
            if len(mine) >= 2:
                break
            per_owner = Counter(x.assigned_to_id for x in open_leads if x.assigned_to_id != taker.id)
            if not per_owner or per_owner.most_common(1)[0][1] <= 2:
                break
            donor = per_owner.most_common(1)[0][0]
            lead = next(x for x in open_leads if x.assigned_to_id == donor)
            reassign_lead(session, senior, lead.id, taker.id,
                          "Выравниваем загрузку: лид ближе к вашим клиентам", now)


def seed_sales(context: DemoContext) -> dict[str, int]:
    """Funnels, teams and deals first (routing needs teams), then leads through the process, then history."""
    now = context.clock.now()
    deals = ensure_demo_deals(context.session, now)
    leads = _demo_leads(context)  # before the history: it checks that no lead exists yet
    history = ensure_sales_history(context.session, now, months=context.settings.demo_history_months)
    return {"deals": deals, "leads": leads, **history}
