"""Accepting a lead from any channel (site form, API, UI) and starting ``lead_handling``.

One function so the three channels store the same row and start the same process in the
same transaction: a lead that was answered «accepted» is committed together with its
process instance and first task. If the process is not deployed yet the lead is still
kept (status «Новый») and shows up in the list for manual work. ``receive_lead`` is what
the channels call with the raw input: the same checks everywhere, and ``LeadInvalid`` with
Russian messages per field before anything is stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from engine.api import ProcessEngine
from models.identity.users import User
from models.platform.events import publish
from models.platform.permissions import AccessDenied, Permission, has_permission
from models.privacy.consents import consent_given, record_consent
from models.sales.leads import Lead, check_lead_input, new_lead

log = logging.getLogger(__name__)
PROCESS_KEY = "lead_handling"


class LeadInvalid(ValueError):
    """Lead input that breaks the rules; ``errors`` maps a field to its Russian messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("Заявка не прошла проверку")
        self.errors = errors


def submit_lead(session: Session, engine: ProcessEngine, values: dict, *, source: str,
                user_id: int | None, remote_addr: str | None) -> Lead:
    """Store checked ``values`` as a lead and start its process; the caller commits."""
    lead = new_lead(values, source=source, created_by_id=user_id, remote_addr=remote_addr,
                    now=engine.clock.now())
    session.add(lead)
    session.flush()
    publish(session, "lead.created", {"lead_id": lead.id, "source": source, "user_id": user_id},
            engine.clock.now())
    instance = engine.start_if_deployed(PROCESS_KEY, business_type="lead", business_id=lead.id,
                                        user_id=user_id, title=f"Лид: {lead.title}")
    if instance is None:
        log.warning("process %s is not deployed; lead %s waits for manual work", PROCESS_KEY, lead.id)
        return lead
    if lead.instance_id != instance.id:  # routing records it in its own UPDATE; else one more here
        lead.instance_id = instance.id
        session.flush()
    return lead


def receive_lead(session: Session, engine: ProcessEngine, raw: Mapping[str, Any], *, source: str,
                 user_id: int | None, remote_addr: str | None, unknown: Iterable[str] = (),
                 industry_by_inn: Callable[[str], str | None] | None = None) -> Lead:
    """Check raw input from a channel and submit it as a lead; ``LeadInvalid`` stores nothing.

    ``unknown`` names fields the channel received but does not know (the site form refuses
    them, so a typo in the site's markup is not silently dropped). ``industry_by_inn`` (the
    site form passes the registry's) names the industry of a lead that gave an INN but no
    industry, so routing can use it; it is asked before anything is stored and answers None
    when it cannot tell.
    """
    if user_id is not None:  # an employee (page or API): leads are sales work (issue 14, defect 10)
        user = session.get(User, user_id)
        if user is None or not has_permission(user, Permission.EDIT_CLIENTS):
            raise AccessDenied("Лиды заводят продажи: у вашей роли нет права создавать лиды")
    values = dict(raw)
    consented = consent_given(values.pop("consent", None))
    checked = check_lead_input(values)
    unknown = sorted(unknown)
    if unknown:
        checked.errors["_form"] = [f"Неизвестные поля: {', '.join(unknown)}"]
    if source == "site" and not consented:  # 152-ФЗ: the person's own consent, recorded with the lead
        checked.errors["consent"] = ["Без согласия на обработку персональных данных заявку принять нельзя"]
    if checked.errors:
        raise LeadInvalid(checked.errors)
    if industry_by_inn is not None and checked.values.get("inn") and not checked.values.get("industry"):
        industry = industry_by_inn(checked.values["inn"])
        if industry:
            checked.values["industry"] = industry
    lead = submit_lead(session, engine, checked.values, source=source, user_id=user_id,
                       remote_addr=remote_addr)
    if consented:
        record_consent(session, "lead", lead.id, source=source, address=remote_addr, now=engine.clock.now())
    return lead
