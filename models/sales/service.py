"""The actions the deal pages and the deals API take, each loading its record with the access check.

Pages and the API call one function per action with an explicit session, the acting user
and the time; nothing here commits (the request's unit of work does) and nothing reads
Flask request state. The record is loaded by id through ``models.sales.access``
(``NotFound`` → 404, ``AccessDenied`` → 403); a refused change raises ``DealError`` with
Russian messages per field before anything is changed, so a refused form leaves the deal
as it was. Funnel settings (stages, loss reasons) are admins' work and checked here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.identity.users import User
from models.platform.db import utcnow
from models.platform.errors import NotFound
from models.platform.permissions import Permission, can_access, require, require_access
from models.sales.access import get_deal
from models.sales.activities import Activity, log_activity
from models.sales.deal_editing import apply_changes, create_deal, parse_discount
from models.sales.deals import Deal, DealError, move_stage
from models.sales.funnels import FunnelStage, LossReason
from models.sales.offer_guard import check_offer


def open_deal_for(session: Session, actor: User, data: Mapping[str, Any], now: datetime) -> Deal:
    """Open a deal for a client (first stage of its funnel), owned by the actor unless the data says.

    A deal the actor could not edit afterwards (another manager's client) is refused with
    ``AccessDenied``; the request's unit of work then throws the new deal away.
    """
    deal = create_deal(session, dict(data), owner_id=actor.id, now=now)
    if not can_access(actor, deal.client, "view"):  # linking needs the right to read the client
        raise DealError({"client_id": ["Клиент не найден"]})
    require_access(actor, deal, "edit")
    return deal


def change_deal(session: Session, actor: User, deal_id: int, data: Mapping[str, Any], *,
                competitor: Mapping[str, Any] | None = None, now: datetime | None = None,
                channel: str = "ui") -> Deal:
    """Change amounts, probability, dates, products, discount; ``competitor`` adds one more offer.

    Changing the discount of a КП already sent is a re-quote: the offer guard
    (``models.sales.offer_guard``) checks it before anything changes (``channel``: ui | api).
    """
    deal = get_deal(session, actor, deal_id, "edit")
    changes = {k: v for k, v in data.items() if k not in ("client_id", "funnel")}
    if "requested_discount" in changes:
        errors: dict[str, list[str]] = {}
        discount = parse_discount(changes["requested_discount"], errors)
        if not errors and discount != deal.requested_discount:  # bad input: apply_changes reports it
            check_offer(session, actor, deal, target_stage=None, discount=discount, channel=channel,
                        today=(now or utcnow()).date())
    if competitor is not None:
        changes["competitor_offers"] = [*deal.competitor_offers, dict(competitor)]
    return apply_changes(deal, changes)


def move_deal(session: Session, actor: User, deal_id: int, stage: str, data: Mapping[str, Any],
              now: datetime, *, channel: str = "ui") -> Deal:
    """Move the deal to ``stage``; «Проиграна» needs a loss reason, «Выиграна» the contract data.

    Entering «КП отправлено» records a КП with the deal's discount: the offer guard checks it first.
    """
    deal = get_deal(session, actor, deal_id, "edit")
    check_offer(session, actor, deal, target_stage=stage, discount=deal.requested_discount, channel=channel,
                today=now.date())
    return move_stage(session, deal, stage, user_id=actor.id, now=now, data=dict(data))


def log_deal_activity(session: Session, actor: User, deal_id: int, *, kind: str, subject: str,
                      outcome: str | None, happened_at: datetime | None, now: datetime) -> Activity:
    """Log a call, meeting, e-mail or note against a deal the actor may edit."""
    deal = get_deal(session, actor, deal_id, "edit")
    return log_activity(session, kind=kind, subject=subject, outcome=outcome, happened_at=happened_at,
                        now=now, user_id=actor.id, deal=deal)


class SettingsInvalid(ValueError):
    """A refused funnel setting; ``message`` says why, in Russian."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def update_stage(session: Session, actor: User, stage_id: int, *, name: str | None,
                 probability: int | None, stuck_after_days: int | None) -> FunnelStage:
    """Change a stage's name, win probability (0–100) and «stuck after N days» threshold."""
    require(actor, Permission.MANAGE_USERS)
    stage = session.get(FunnelStage, stage_id)
    if stage is None:
        raise NotFound("Этап воронки не найден")
    if probability is None or not 0 <= probability <= 100 or (
            stuck_after_days is not None and stuck_after_days < 1):
        raise SettingsInvalid("Вероятность — от 0 до 100, порог — целое число дней больше нуля")
    stage.name = (name or stage.name).strip()
    stage.probability = probability
    stage.stuck_after_days = stuck_after_days
    session.flush()
    return stage


def add_loss_reason(session: Session, actor: User, name: str) -> LossReason:
    """Add a reason to the list a lost deal chooses from; names are unique."""
    require(actor, Permission.MANAGE_USERS)
    name = (name or "").strip()
    if not name or session.scalar(select(LossReason).where(LossReason.name == name)) is not None:
        raise SettingsInvalid("Причина пустая или уже есть")
    reason = LossReason(name=name)
    session.add(reason)
    session.flush()
    return reason


def toggle_loss_reason(session: Session, actor: User, reason_id: int) -> LossReason:
    """Switch a loss reason off (no longer offered; deals keep it) or on again."""
    require(actor, Permission.MANAGE_USERS)
    reason = session.get(LossReason, reason_id)
    if reason is None:
        raise NotFound("Причина проигрыша не найдена")
    reason.is_active = not reason.is_active
    session.flush()
    return reason
