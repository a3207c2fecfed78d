"""Manual distribution by senior managers: hand a lead, a deal or a whole portfolio over.

Every hand-over needs a reason; changes are made inside ``acting_as(user, reason=...)``
so the field-level audit log keeps who moved what, when and why. Open inbox tasks of
the moved lead or deal follow the new owner. Each hand-over tells both managers itself
(kind ``handover``, so each chooses whether it also comes by e-mail): the service that
moves the work decides who must know, not the page that asked for it. A refused hand-over
raises before anything is changed or anyone is told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.tables import HumanTask, TaskStatus
from models.clients.cards import Client
from models.identity.users import User
from models.notifications.service import notify
from models.platform.audit import acting_as
from models.platform.errors import NotFound
from models.platform.permissions import AccessDenied, Permission, can_access, require
from models.sales.access import get_lead
from models.sales.deals import Deal, DealStatus
from models.sales.leads import Lead, LeadStatus


class DistributionError(Exception):
    """A refused hand-over (no reason, unknown or inactive target)."""


@dataclass(frozen=True)
class Handover:
    what: str
    old_id: int | None
    new_id: int
    count: int


def _check(session: Session, actor: User, new_owner_id: int, reason: str) -> User:
    require(actor, Permission.DISTRIBUTE_WORK)
    if not (reason or "").strip():
        raise DistributionError("Укажите причину передачи")
    target = session.get(User, new_owner_id)
    if target is None or not target.is_active:
        raise DistributionError("Новый ответственный не найден или заблокирован")
    return target


def _move_tasks(session: Session, business_type: str, business_id: int, new_id: int) -> None:
    session.execute(update(HumanTask).where(
        HumanTask.business_type == business_type, HumanTask.business_id == business_id,
        HumanTask.status == TaskStatus.OPEN).values(assignee_id=new_id, original_assignee_id=None))


def reassign_lead(session: Session, actor: User, lead_id: int, new_owner_id: int, reason: str,
                  now: datetime) -> Handover:
    """Hand the open lead ``lead_id`` (which ``actor`` sees) to another manager; both are told."""
    lead = get_lead(session, actor, lead_id)
    _check(session, actor, new_owner_id, reason)
    if not can_access(actor, lead, "edit"):
        raise AccessDenied()
    if lead.status not in LeadStatus.OPEN:
        raise DistributionError("Лид уже закрыт")
    old = lead.assigned_to_id
    with acting_as(actor.id, reason=reason.strip()):
        lead.assigned_to_id = new_owner_id
        _move_tasks(session, "lead", lead.id, new_owner_id)
        session.flush()
    return _tell_both(session, Handover(f"лид «{lead.title}»", old, new_owner_id, 1), reason, actor, now)


def reassign_deal(session: Session, actor: User, deal_id: int, new_owner_id: int, reason: str,
                  now: datetime) -> Handover:
    """Hand the deal ``deal_id`` with its open tasks to another manager; both are told."""
    require(actor, Permission.DISTRIBUTE_WORK)
    deal = session.get(Deal, deal_id)
    if deal is None:
        raise NotFound("Сделка не найдена")
    _check(session, actor, new_owner_id, reason)
    if not can_access(actor, deal, "edit"):
        raise AccessDenied()
    old = deal.owner_id
    with acting_as(actor.id, reason=reason.strip()):
        deal.owner_id = new_owner_id
        _move_tasks(session, "deal", deal.id, new_owner_id)
        session.flush()
    return _tell_both(session, Handover(f"сделка «{deal.title}»", old, new_owner_id, 1), reason, actor, now)


def reassign_portfolio(session: Session, actor: User, old_owner_id: int, new_owner_id: int,
                       reason: str, now: datetime) -> Handover:
    """All clients of one manager, with their open deals and open leads, to another; both are told."""
    _check(session, actor, new_owner_id, reason)
    if old_owner_id == new_owner_id:
        raise DistributionError("Портфель передаётся другому менеджеру")
    old = session.get(User, old_owner_id)
    if old is None or (actor.role not in ("admin", "head") and old.department_id != actor.department_id):
        raise AccessDenied()
    with acting_as(actor.id, reason=reason.strip()):
        clients = list(session.scalars(select(Client).where(Client.owner_id == old_owner_id)))
        for client in clients:
            client.owner_id = new_owner_id
        for deal in session.scalars(select(Deal).where(Deal.owner_id == old_owner_id,
                                                       Deal.status == DealStatus.OPEN)):
            deal.owner_id = new_owner_id
            _move_tasks(session, "deal", deal.id, new_owner_id)
        for lead in session.scalars(select(Lead).where(Lead.assigned_to_id == old_owner_id,
                                                       Lead.status.in_(LeadStatus.OPEN))):
            lead.assigned_to_id = new_owner_id
            _move_tasks(session, "lead", lead.id, new_owner_id)
        session.flush()
    handover = Handover(f"портфель клиентов ({len(clients)}) менеджера {old.full_name}", old_owner_id,
                        new_owner_id, len(clients))
    return _tell_both(session, handover, reason, actor, now)


def _tell_both(session: Session, handover: Handover, reason: str, by: User, now: datetime) -> Handover:
    """Tell the previous and the new manager that something changed hands and why."""
    new = session.get(User, handover.new_id)
    old = session.get(User, handover.old_id) if handover.old_id else None
    body = (f"{handover.what}: передано от «{old.full_name if old else '—'}» "
            f"к «{new.full_name if new else '—'}».\n"
            f"Причина: {reason.strip()}\nПередал: {by.full_name}")
    notify(session, [handover.old_id, handover.new_id], "handover", f"Передача: {handover.what}", body, now)
    return handover
