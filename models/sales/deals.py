"""Deals in a funnel: amounts, competitors, stage path with time spent, win/loss rules, flags.

Every stage change goes through ``move_stage``, which asks the stage gate
(``models.sales.stage_gate``: the data-quality rules of the target stage, except for
«Проиграна») and checks the rules of the target stage (Проиграна needs a loss reason
from the configured list; Выиграна needs the contract number, start and end dates and
the premium), closes the current ``deal_stage_history`` row with the seconds spent there
and opens the next one. Flags (stuck, no activity, КП expiring, client flagged by the
registry) are computed against a clock passed in, so tests move time instead of waiting.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, Numeric, Select, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.clients.cards import Client
from models.identity.users import User
from models.platform.dates import parse_day
from models.platform.db import Base, UTCDateTime, utcnow
from models.platform.events import publish
from models.platform.fragments import trigram_index
from models.platform.ids import parse_int
from models.platform.money import parse_amount
from models.platform.registry import LabelIds
from models.sales.funnels import Funnel, FunnelStage, LossReason, StageOutcome
from models.sales.stage_gate import gate_reasons

NO_ACTIVITY_DAYS = 7
OFFER_EXPIRY_DAYS = 3
MONEY = Numeric(14, 2)


class DealStatus:
    OPEN = "open"
    WON = "won"
    LOST = "lost"


FLAG_LABELS = {
    "stuck": "Застряла на этапе",
    "no_activity": "Нет активности > 7 дней",
    "offer_expiring": "КП истекает < 3 дней",
    "registry": "Клиент отмечен реестром",
}


class DealError(Exception):
    """A refused change, with Russian messages per field."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(m for ms in errors.values() for m in ms))


class Deal(Base):
    __tablename__ = "deal"
    __audited__ = True
    __table_args__ = (Index("ix_deal_owner_newest", "owner_id", "id"),  # a manager's newest deals first
                      # a board column's newest cards (0024_board_speed): for whoever sees every owner,
                      Index("ix_deal_funnel_stage", "funnel_id", "stage_id", "id"),
                      Index("ix_deal_stage_owner_newest", "stage_id", "owner_id", "id"),  # and a manager
                      trigram_index("ix_deal_title_trgm", "title"))

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="RESTRICT"), index=True)
    funnel_id: Mapped[int] = mapped_column(ForeignKey("funnel.id"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("funnel_stage.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default=DealStatus.OPEN)
    amount: Mapped[Decimal | None] = mapped_column(MONEY)  # insured sum
    premium: Mapped[Decimal | None] = mapped_column(MONEY)  # insurance premium, RUB
    probability: Mapped[int] = mapped_column(Integer, default=0)
    expected_close_date: Mapped[date | None] = mapped_column(Date)
    product_lines: Mapped[list[str]] = mapped_column(JSON, default=list)
    competitor_offers: Mapped[list[dict]] = mapped_column(JSON, default=list)  # who, price, conditions
    requested_discount: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))  # percent
    offer_expires_on: Mapped[date | None] = mapped_column(Date)
    contract_number: Mapped[str | None] = mapped_column(String(100))
    contract_start: Mapped[date | None] = mapped_column(Date)
    contract_end: Mapped[date | None] = mapped_column(Date)
    contract_premium: Mapped[Decimal | None] = mapped_column(MONEY)
    loss_reason_id: Mapped[int | None] = mapped_column(ForeignKey("loss_reason.id"))
    loss_comment: Mapped[str | None] = mapped_column(Text)
    stage_entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    client: Mapped[Client] = relationship()
    funnel: Mapped[Funnel] = relationship()
    stage: Mapped[FunnelStage] = relationship()
    owner: Mapped[User | None] = relationship()
    loss_reason: Mapped[LossReason | None] = relationship()
    history: Mapped[list[DealStageHistory]] = relationship(
        back_populates="deal", cascade="all, delete-orphan", order_by="DealStageHistory.id")


# «Мой день» (0024_board_speed). An owner's deals by status, the open ones by their «no activity»
# clock, with what the other flags read: the flagged deals are counted as the open ones minus the
# unflagged among those active this week, from the index alone (``models.sales.queries.flagged_deals``;
# it replaced ``(owner_id, status)``). And an owner's open deals by the offer's expiry: the «КП
# истекают» rows and count, a range of the owner's own entries.
Index("ix_deal_owner_quiet", Deal.owner_id, Deal.status,
      func.coalesce(Deal.last_activity_at, Deal.created_at), Deal.stage_id, Deal.stage_entered_at,
      Deal.offer_expires_on, Deal.client_id)
Index("ix_deal_owner_offer", Deal.owner_id, Deal.status, Deal.offer_expires_on, Deal.id)


class DealStageHistory(Base):
    """One stay of a deal in a stage; ``seconds`` is filled when the deal leaves it."""

    __tablename__ = "deal_stage_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deal.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("funnel_stage.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seconds: Mapped[int | None] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    deal: Mapped[Deal] = relationship(back_populates="history")
    stage: Mapped[FunnelStage] = relationship()


def parse_money(value: Any, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    """An amount typed the Russian way («1 500 000,50», no-break spaces, a trailing ₽) or sent by the
    API (``"1500000.50"``, a number), through ``models.platform.money``; problems go to ``errors``."""
    if value is None or value == "":
        return None
    try:
        amount = parse_amount(value, negative=True)
    except ValueError as exc:
        errors.setdefault(field, []).append(str(exc))
        return None
    if amount < 0:
        errors.setdefault(field, []).append("Сумма не может быть отрицательной")
        return None
    return amount


def parse_date(value: Any, field: str, errors: dict[str, list[str]]) -> date | None:
    if value is None or value == "" or isinstance(value, date):
        return value or None
    try:  # «31.12.2026» as typed, or ISO from the date picker and the API
        return parse_day(value)
    except ValueError as exc:
        errors.setdefault(field, []).append(str(exc))
        return None


def open_deal(session: Session, *, client: Client, funnel: Funnel, owner_id: int | None, now: datetime,
              title: str | None = None, lead_id: int | None = None, **fields: Any) -> Deal:
    """A new deal in the first stage of ``funnel``, with its first history row."""
    stage = funnel.first_stage
    deal = Deal(title=title or f"{client.display_name}: страхование", client=client, funnel=funnel,
                stage=stage, owner_id=owner_id, lead_id=lead_id, probability=stage.probability,
                stage_entered_at=now, created_at=now, status=DealStatus.OPEN, **fields)
    deal.history.append(DealStageHistory(stage=stage, entered_at=now, user_id=owner_id))
    session.add(deal)
    session.flush()
    return deal


def _won_rules(deal: Deal, data: dict, errors: dict[str, list[str]]) -> None:
    number = (data.get("contract_number") or deal.contract_number or "").strip()
    start = parse_date(data.get("contract_start"), "contract_start", errors) or deal.contract_start
    end = parse_date(data.get("contract_end"), "contract_end", errors) or deal.contract_end
    premium = parse_money(data.get("contract_premium"), "contract_premium", errors) or deal.contract_premium
    if not number:
        errors.setdefault("contract_number", []).append("Для этапа «Выиграна» укажите номер договора")
    if start is None and "contract_start" not in errors:
        errors.setdefault("contract_start", []).append("Укажите дату начала договора")
    if end is None and "contract_end" not in errors:
        errors.setdefault("contract_end", []).append("Укажите дату окончания договора")
    if start and end and end <= start:
        errors.setdefault("contract_end", []).append("Дата окончания должна быть позже даты начала")
    if premium is None and "contract_premium" not in errors:
        errors.setdefault("contract_premium", []).append("Укажите страховую премию по договору")
    if not errors:
        deal.contract_number, deal.contract_start, deal.contract_end = number, start, end
        deal.contract_premium = premium


def _lost_rules(session: Session, deal: Deal, data: dict, errors: dict[str, list[str]]) -> None:
    raw = str(data.get("loss_reason_id") or "")
    reason = session.get(LossReason, number) if (number := parse_int(raw)) is not None else None
    if reason is None or not reason.is_active:
        errors.setdefault("loss_reason_id", []).append(
            "Сделку нельзя перевести в «Проиграна» без причины проигрыша: выберите причину из списка")
        return
    deal.loss_reason = reason
    deal.loss_comment = (data.get("loss_comment") or "").strip() or None


def move_stage(session: Session, deal: Deal, stage_code: str, *, user_id: int | None, now: datetime,
               data: dict | None = None) -> Deal:
    """Move ``deal`` to the stage ``stage_code`` of its funnel, enforcing the stage's rules."""
    data = data or {}
    target = deal.funnel.stage(stage_code)
    if target is None:
        raise DealError({"stage": [f"В воронке «{deal.funnel.name}» нет этапа «{stage_code}»"]})
    if deal.status != DealStatus.OPEN:
        raise DealError({"stage": ["Сделка закрыта; этап закрытой сделки не меняется"]})
    if target.id == deal.stage_id:
        return deal
    errors: dict[str, list[str]] = {}
    if target.outcome != StageOutcome.LOST:
        reasons = gate_reasons(session, deal, target.code, user_id=user_id, now=now)
        if reasons:
            raise DealError({"stage": [f"Сделку нельзя перевести в «{target.name}»: " + "; ".join(reasons)]})
    if target.outcome == StageOutcome.LOST:
        _lost_rules(session, deal, data, errors)
    elif target.outcome == StageOutcome.WON:
        _won_rules(deal, data, errors)
    if errors:
        raise DealError(errors)
    previous = deal.stage.code if deal.stage is not None else None
    current = deal.history[-1] if deal.history else None
    if current is not None and current.left_at is None:
        current.left_at = now
        current.seconds = int((now - current.entered_at).total_seconds())
    deal.history.append(DealStageHistory(stage=target, entered_at=now, user_id=user_id))
    deal.stage = target
    deal.stage_entered_at = now
    deal.probability = target.probability
    if target.outcome != StageOutcome.OPEN:
        deal.status = DealStatus.WON if target.outcome == StageOutcome.WON else DealStatus.LOST
        deal.closed_at = now
    session.flush()
    publish(session, "deal.stage_changed", {
        "deal_id": deal.id, "client_id": deal.client_id, "funnel": deal.funnel.code, "from_stage": previous,
        "to_stage": target.code, "owner_id": deal.owner_id, "user_id": user_id,
        "premium": str(deal.premium) if deal.premium is not None else None}, now)
    return deal


def time_in_stages(deal: Deal, now: datetime) -> list[tuple[FunnelStage, int]]:
    """(stage, seconds) for every stay, the current one counted up to ``now``."""
    return [(h.stage, h.seconds if h.seconds is not None else int((now - h.entered_at).total_seconds()))
            for h in deal.history]


def deal_flags(deal: Deal, now: datetime) -> list[str]:
    """Codes of the warning flags of ``deal`` at ``now`` (see ``FLAG_LABELS``)."""
    flags = []
    if deal.status == DealStatus.OPEN:
        stuck = deal.stage.stuck_after_days
        if stuck is not None and now - deal.stage_entered_at > timedelta(days=stuck):
            flags.append("stuck")
        last = deal.last_activity_at or deal.created_at
        if now - last > timedelta(days=NO_ACTIVITY_DAYS):
            flags.append("no_activity")
        if deal.offer_expires_on is not None and \
                0 <= (deal.offer_expires_on - now.date()).days < OFFER_EXPIRY_DAYS:
            flags.append("offer_expiring")
    if deal.client is not None and deal.client.registry_flag:
        flags.append("registry")
    return flags


def deal_label_rows(ids: LabelIds) -> Select:
    return select(Deal.id, Deal.title).where(Deal.id.in_(ids))


def deal_label(deal_id: int, title: str | None) -> str:
    return f"Сделка: {title}"
