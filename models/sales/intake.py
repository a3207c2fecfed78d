"""Accepting a lead from any channel (site form, API, UI) and starting ``lead_handling``.

One function so the three channels store the same row and start the same process in the
same transaction: a lead that was answered «accepted» is committed together with its
process instance and first task. If the process is not deployed yet the lead is still
kept (status «Новый») and shows up in the list for manual work.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from engine.api import ProcessEngine
from models.sales.leads import Lead, new_lead

log = logging.getLogger(__name__)
PROCESS_KEY = "lead_handling"


def submit_lead(session: Session, engine: ProcessEngine, values: dict, *, source: str,
                user_id: int | None, remote_addr: str | None) -> Lead:
    """Store checked ``values`` as a lead and start its process; the caller commits."""
    lead = new_lead(values, source=source, created_by_id=user_id, remote_addr=remote_addr,
                    now=engine.clock.now())
    session.add(lead)
    session.flush()
    if engine.latest_definition(PROCESS_KEY) is None:
        log.warning("process %s is not deployed; lead %s waits for manual work", PROCESS_KEY, lead.id)
        return lead
    instance = engine.start(PROCESS_KEY, business_type="lead", business_id=lead.id, user_id=user_id,
                            title=f"Лид: {lead.title}")
    lead.instance_id = instance.id
    session.flush()
    return lead
