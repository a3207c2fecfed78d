"""Scheduler jobs of the contracts package: start queued renewals, keep churn risk fresh.

``contracts_risk`` assesses, once a day each, the active contracts ending within
``HORIZON_DAYS`` (the dashboard's widest window): each contract in its own unit of work with its
risk row claimed by a conditional UPDATE, so two schedulers never pull the senior manager in twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from models.contracts.contracts import Contract, ContractStatus
from models.contracts.renewals import ContractRisk
from models.contracts.risk import apply, settings
from models.platform.jobs import JobContext, run_unit
from models.tasks.operations import DEFAULT_GRACE

HORIZON_DAYS = 90
BATCH = 200


def due_for_assessment(session: Session, today) -> list[int]:
    stmt = (
        select(Contract.id)
        .outerjoin(ContractRisk, ContractRisk.contract_id == Contract.id)
        .where(
            Contract.status == ContractStatus.ACTIVE,
            Contract.ends_on >= today,
            Contract.ends_on <= today + timedelta(days=HORIZON_DAYS),
            or_(ContractRisk.contract_id.is_(None), ContractRisk.assessed_on < today),
        )
        .order_by(Contract.ends_on)
        .limit(BATCH)
    )
    return list(session.scalars(stmt))


def assess_contract(session: Session, contract_id: int, now, grace: timedelta) -> bool:
    """Assess one contract in the caller's unit of work, its risk row claimed first."""
    today = now.date()
    existing = session.get(ContractRisk, contract_id)
    if existing is not None:
        # Claim: the conditional UPDATE takes the write lock before reading, so of two schedulers
        # only one assesses (and maybe pulls the senior manager in) today.
        taken = session.execute(
            update(ContractRisk)
            .where(ContractRisk.contract_id == contract_id, ContractRisk.assessed_on < today)
            .values(assessed_on=today)
            .execution_options(synchronize_session=False)
        )
        if getattr(taken, "rowcount", 0) != 1:
            return False
        session.refresh(existing)
    contract = session.get(Contract, contract_id)
    if contract is None:
        return False
    apply(session, contract, now, grace=grace, cfg=settings(session))
    return True


def assess_risks(context: JobContext) -> int:
    now = context.clock.now()
    grace = getattr(context.settings, "escalation_grace", None) or DEFAULT_GRACE
    with context.session_factory() as session:
        ids = due_for_assessment(session, now.date())

    def work_for(contract_id: int) -> Callable[[Session], bool]:
        def work(session: Session) -> bool:
            return assess_contract(session, contract_id, now, grace)

        return work

    return sum(bool(run_unit(context.session_factory, work_for(i))) for i in ids)
