"""The daily renewal trigger and the job that starts one renewal process per queued contract.

``contracts.queue_due`` (the service task of ``processes/renewal_trigger.bpmn``, a timer start
every weekday at 09:00 Moscow) gets the renewal window per product from ``renewal_window.dmn``
and inserts, in one statement, a ``contract_renewal`` row for every active contract ending
within its window that has neither a renewal nor a successor — ``ON CONFLICT DO NOTHING`` on
the unique ``contract_id``, so a second trigger (another scheduler, a restart, a manual start)
adds nothing. It publishes ``contract.ending`` for each contract it queued.

The scheduler job ``contracts_renewals`` claims queued rows one at a time (``FOR UPDATE SKIP
LOCKED``-free: a conditional UPDATE queued → started, see ``take``) and starts
``renewal`` in the same unit of work that marks the row started: exactly one process per
contract, and a worker that dies leaves the row queued for the next tick.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import Date, and_, case, exists, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from engine.errors import EngineError, OperationError
from engine.operations import OperationContext
from engine.ports import EngineServices
from models.contracts.contracts import Contract, ContractStatus
from models.contracts.renewals import ContractRenewal, RenewalStatus
from models.platform.db import UTCDateTime
from models.platform.events import publish
from models.platform.jobs import JobContext, run_unit

PROCESS = "renewal"
BATCH = 200  # queued renewals started per tick (each in its own unit of work)


def due_contracts(windows: dict[str, int], today: Any, now: Any) -> Any:
    """SELECT contract_id, window of the active contracts inside their renewal window without a renewal."""
    window = case({p: literal(d) for p, d in windows.items()}, value=Contract.product, else_=literal(0))
    successor = aliased(Contract)
    in_window = or_(
        *(
            and_(Contract.product == p, Contract.ends_on <= today + timedelta(days=d))
            for p, d in windows.items()
        )
    )
    return select(
        Contract.id,
        window,
        literal(today, Date()),
        literal(RenewalStatus.QUEUED),
        literal(now, UTCDateTime()),
    ).where(
        Contract.status == ContractStatus.ACTIVE,
        Contract.ends_on >= today,
        in_window,
        ~exists().where(ContractRenewal.contract_id == Contract.id),
        ~exists().where(successor.renewed_from_id == Contract.id),
    )


def queue_due(context: OperationContext, products: list, days: list) -> dict:
    """Queue the renewal of every contract entering its window today; how many were queued."""
    if len(products) != len(days) or not products:
        raise OperationError("Таблица окон продления пуста или неполна (продукты и дни)")
    windows = {str(p): int(d) for p, d in zip(products, days, strict=True)}
    session = context.session
    now = context.clock.now()
    today = now.date()
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        insert(ContractRenewal)
        .from_select(
            ["contract_id", "window_days", "due_on", "status", "created_at"],
            due_contracts(windows, today, now),
        )
        .on_conflict_do_nothing(index_elements=["contract_id"])
        .returning(ContractRenewal.contract_id)
    )
    queued = list(session.scalars(stmt))
    if queued:
        rows = session.execute(
            select(Contract.id, Contract.client_id, Contract.ends_on, Contract.owner_id).where(
                Contract.id.in_(queued)
            )
        )
        for contract_id, client_id, ends_on, owner_id in rows:
            publish(
                session,
                "contract.ending",
                {
                    "contract_id": contract_id,
                    "client_id": client_id,
                    "ends_on": ends_on.isoformat(),
                    "days_left": (ends_on - today).days,
                    "owner_id": owner_id,
                },
                now,
            )
    return {"queued": len(queued), "windows": windows}


def start_one(session: Session, engine: Any, renewal: ContractRenewal) -> None:
    """Start ``renewal.bpmn`` (on ``engine``, the ``ProcessEngine`` of ``session``) for a claimed
    queued row and mark it started (one unit of work)."""
    contract = renewal.contract
    instance = engine.start(
        PROCESS,
        {"renewal_id": renewal.id, "contract_id": contract.id},
        business_type="contract",
        business_id=contract.id,
        title=f"Продление договора № {contract.number}",
    )
    renewal.status, renewal.instance_id = RenewalStatus.STARTED, instance.id
    session.flush()


def take(session: Session, renewal_id: int) -> bool:
    """Claim a queued row by moving it to «started» in one conditional UPDATE.

    The UPDATE takes the row's (PostgreSQL) or the database's (SQLite) write lock before it
    reads the status, so of two schedulers exactly one sees ``queued``; a plain SELECT would
    not do on SQLite, where reads run outside the write transaction.
    """
    done = session.execute(
        update(ContractRenewal)
        .where(ContractRenewal.id == renewal_id, ContractRenewal.status == RenewalStatus.QUEUED)
        .values(status=RenewalStatus.STARTED)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(done, "rowcount", 0) == 1)


def start_queued(context: JobContext) -> int:
    """The scheduler job: each queued renewal started in its own unit of work; how many started."""
    services = EngineServices.from_registry(context.registry, context.clock, context.settings)
    with context.session_factory() as session:
        ids = list(
            session.scalars(
                select(ContractRenewal.id)
                .where(ContractRenewal.status == RenewalStatus.QUEUED)
                .order_by(ContractRenewal.id)
                .limit(BATCH)
            )
        )

    def work_for(renewal_id: int) -> Callable[[Session], bool]:
        def work(session: Session) -> bool:
            if not take(session, renewal_id):
                return False
            start_one(session, services.engine(session), session.get_one(ContractRenewal, renewal_id))
            return True

        return work

    return sum(bool(run_unit(context.session_factory, work_for(i), failed=(EngineError,))) for i in ids)
