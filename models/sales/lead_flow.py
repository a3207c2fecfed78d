"""What happens to a lead on its way through ``lead_handling``: matching, routing, outcome.

Service-task operations in ``models/sales/operations.py`` call these functions; they
only change rows through the given session (the engine step commits). Matching uses the
foundation columns (client INN, phone, e-mail and contacts' phone and e-mail) with the
lead-local phone normaliser, until the client base's shared search is merged.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import cache

from sqlalchemy import Select, String, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from models.clients.cards import Client, Contact
from models.clients.index import ContactPoint
from models.clients.phones import display_phone, normalize_email, normalize_phone
from models.sales.activities import log_activity
from models.sales.deals import Deal, open_deal, parse_money
from models.sales.funnels import funnel_by_code, funnel_for_kind
from models.sales.leads import Lead, LeadStatus
from models.sales.regions import region_from_phone
from models.sales.routing import RoutingDecision, choose_manager


class LeadFlowError(Exception):
    """The lead cannot move on (missing, already closed, no funnel)."""


def get_lead(session: Session, lead_id: int) -> Lead:
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise LeadFlowError(f"Лид {lead_id} не найден")
    return lead


@cache
def _contact_points(kinds: tuple[str, ...]) -> Select:
    """The lowest client id per kind among the contact points equal to the bound values of ``kinds``.

    Built once per combination (phone, e-mail or both): building it cost about as much as running it.
    """
    return (select(ContactPoint.kind, func.min(ContactPoint.client_id))
            .where(or_(*(and_(ContactPoint.kind == kind, ContactPoint.value == bindparam(kind, type_=String))
                         for kind in kinds)))
            .group_by(ContactPoint.kind))


def find_existing_client(session: Session, inn: str | None, phone: str | None,
                         email: str | None) -> tuple[Client | None, str | None]:
    """The client a lead belongs to and what matched: INN first, then phone, then e-mail."""
    if inn:
        client = session.scalar(select(Client).where(Client.inn == inn).order_by(Client.id))
        if client is not None:
            return client, "ИНН"
    pairs = (("phone", normalize_phone(phone)), ("email", normalize_email(email)))
    wanted = {kind: value for kind, value in pairs if value}
    if not wanted:
        return None, None
    # Phone and e-mail in one statement (each an indexed lookup); the phone wins, then the lowest id.
    found: dict[str, int] = {}
    for kind, client_id in session.execute(_contact_points(tuple(wanted)), wanted):
        found[kind] = client_id
    for kind, label in (("phone", "телефон"), ("email", "e-mail")):
        if kind in found:
            return session.get(Client, found[kind]), label
    return None, None


def match_lead(session: Session, lead: Lead) -> dict:
    """Link the lead to an existing client; returns what routing needs (kind, territory, industry).

    The territory is what the lead says, else the known client's, else the phone's area code.
    """
    client, matched_by = find_existing_client(session, lead.inn, lead.phone, lead.email)
    if client is not None:
        lead.client = client
        lead.client_kind = client.kind
        lead.territory = lead.territory or client.territory
        lead.industry = lead.industry or client.industry
    # A person who skipped the region but left a landline number still names it (the area code).
    # Set only when it changes: a lead touched for nothing would be flushed (and its listeners run).
    if not lead.territory and (region := region_from_phone(lead.phone)):
        lead.territory = region
    session.flush()
    return {"client_id": client.id if client else None, "matched_by": matched_by,
            "owner_id": client.owner_id if client else None, "client_kind": lead.client_kind or "company",
            "territory": lead.territory, "industry": lead.industry}


def route_lead(session: Session, lead: Lead, funnel: str, team: str, now: datetime, *,
               instance_id: int | None = None) -> RoutingDecision:
    """Choose the manager by the team's rule and record the decision and its reason on the lead.

    ``instance_id``, the process instance doing the routing, is recorded on a lead that has none
    yet in the same UPDATE (the intake would otherwise write it in one more after the engine returns).
    """
    decision = choose_manager(session, team, now, territory=lead.territory, industry=lead.industry)
    if lead.instance_id is None and instance_id is not None:
        lead.instance_id = instance_id
    lead.funnel_code = funnel
    lead.team_code = team
    lead.assigned_to_id = decision.manager_id
    if decision.manager is not None:  # the lead keeps the manager's row for the rest of the step
        lead.assigned_to = decision.manager
    lead.routing_reason = decision.reason
    lead.status = LeadStatus.ASSIGNED
    return decision  # written by the next flush (the notification's), not one of its own


def _client_for(session: Session, lead: Lead, owner_id: int | None, kind: str) -> Client:
    client = lead.client
    if client is None:
        name = (lead.company or lead.name or lead.email or display_phone(lead.phone)
                or f"Клиент из лида {lead.id}")
        client = Client(kind=kind, full_name=name, short_name=lead.company and name, inn=lead.inn,
                        phone=lead.phone, email=lead.email, territory=lead.territory,
                        industry=lead.industry, source=lead.source, owner_id=owner_id, tags=[])
        session.add(client)
        if lead.name and lead.company:
            client.contacts.append(Contact(full_name=lead.name, phone=lead.phone, email=lead.email,
                                           is_decision_maker=True))
    else:  # fill the gaps of the existing card, never overwrite what the client base has
        for column in ("inn", "phone", "email", "territory", "industry"):
            if getattr(client, column) is None and getattr(lead, column):
                setattr(client, column, getattr(lead, column))
        if client.owner_id is None:
            client.owner_id = owner_id
    lead.client = client
    session.flush()
    return client


def qualify_lead(session: Session, lead: Lead, *, owner_id: int | None, now: datetime,
                 premium: str | None = None, product: str | None = None,
                 client_kind: str | None = None, comment: str | None = None) -> Deal:
    """Create or update the client and open a deal in the first stage of the lead's funnel.

    The deal is named after its product («ООО «Склад»: ДМС»), so a client's deals differ in the
    list and on the board; the manager's qualifying comment is the deal's first note, where the
    next person working the deal reads it.
    """
    if lead.status not in LeadStatus.OPEN:
        raise LeadFlowError(f"Лид {lead.id} уже закрыт")
    kind = client_kind or lead.client_kind or "company"
    funnel = (funnel_by_code(session, lead.funnel_code) if lead.funnel_code and not client_kind
              else funnel_for_kind(session, kind))
    if funnel is None:
        raise LeadFlowError(f"Нет воронки для типа клиента «{kind}»")
    client = _client_for(session, lead, owner_id, kind)
    errors: dict[str, list[str]] = {}
    amount: Decimal | None = parse_money(premium, "premium", errors)
    title = f"{client.display_name}: {product.strip()}" if product and product.strip() else None
    deal = open_deal(session, client=client, funnel=funnel, owner_id=owner_id, now=now, lead_id=lead.id,
                     premium=amount, product_lines=[product] if product else [], last_activity_at=now,
                     title=title)
    if comment and comment.strip():
        log_activity(session, kind="note", subject="Комментарий при квалификации лида",
                     outcome=comment.strip(), happened_at=now, now=now, user_id=owner_id, deal=deal)
    lead.deal_id = deal.id
    lead.funnel_code = funnel.code
    lead.status = LeadStatus.QUALIFIED
    lead.closed_at = now
    session.flush()
    return deal


def reject_lead(session: Session, lead: Lead, reason: str, now: datetime) -> None:
    if lead.status not in LeadStatus.OPEN:
        raise LeadFlowError(f"Лид {lead.id} уже закрыт")
    lead.status = LeadStatus.REJECTED
    lead.rejection_reason = reason
    lead.closed_at = now
    session.flush()
