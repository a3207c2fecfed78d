"""Demo contracts: the broker's book from the demo policies, renewals under way, risk in every zone.

Every demo policy of the last years becomes a contract, each year's renewing the year before
(``renewed_from``); about one chain in eight stops at its last expired year (the client left:
the churn figures have something to count). Payments before today are paid except a few
(overdue). Then the renewal trigger runs once as it would at 09:00, the queued renewals start
(deals in «Продление» with their tasks), a few clients get a complaint or a new ЛПР, and every
contract ending within 90 days is assessed — so «На продление» shows red, yellow and green.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.tables import HumanTask, TaskStatus
from models.clients.cards import Client, Contact
from models.contracts.contracts import Contract, ContractStatus, schedule
from models.contracts.jobs import HORIZON_DAYS
from models.contracts.renewals import ContractRenewal, RenewalStatus
from models.contracts.risk import apply
from models.contracts.trigger import start_one, take
from models.identity.users import User
from models.insurance.policies import Policy
from models.platform.registry import DemoContext
from models.sales.activities import log_activity
from models.sales.deals import Deal, move_stage
from models.tasks.operations import DEFAULT_GRACE
from models.tasks.process_tasks import complete_process_task


def _book(session: Session, rng: random.Random, today) -> int:
    chains: dict[tuple[int, str], list[Policy]] = defaultdict(list)
    for policy in session.scalars(
        select(Policy).order_by(Policy.client_id, Policy.product, Policy.starts_on)
    ):
        chains[(policy.client_id, policy.product)].append(policy)
    owners = {
        client_id: owner_id for client_id, owner_id in session.execute(select(Client.id, Client.owner_id))
    }
    made = 0
    for (client_id, _product), policies in chains.items():
        if len(policies) > 1 and policies[-1].ends_on >= today and rng.random() < 0.12:
            policies = policies[:-1]  # the client did not renew: the chain stops at an expired year
        previous: Contract | None = None
        for policy in policies:
            ended = policy.ends_on < today
            contract = Contract(
                number=f"Д-{policy.number}",
                product=policy.product,
                client_id=client_id,
                owner_id=owners.get(client_id),
                insurer=policy.insurer,
                starts_on=policy.starts_on,
                ends_on=policy.ends_on,
                premium=policy.premium,
                insured_sum=policy.insured_sum,
                renewed_from=previous,
                status=ContractStatus.ENDED if ended else ContractStatus.ACTIVE,
            )
            contract.payments = schedule(
                policy.starts_on, policy.ends_on, policy.premium, 4 if policy.premium >= 1000000 else 1
            )
            late = not ended and rng.random() < 0.08
            past = [p for p in contract.payments if p.due_on <= today]
            for payment in past[:-1] if late else past:
                payment.paid_on, payment.paid_amount = (
                    payment.due_on + timedelta(days=rng.randint(0, 9)),
                    payment.amount,
                )
            if previous is not None:
                previous.status = ContractStatus.RENEWED
            session.add(contract)
            previous = contract
            made += 1
    session.flush()
    return made


def _signals(session: Session, context: DemoContext, renewing: list[Contract]) -> None:
    """Reasons to worry for a few clients with a renewal under way: a complaint, a new ЛПР, a late
    payment (every other one gets all three: the red zone), the rest a new ЛПР only (yellow)."""
    now = context.clock.now()
    for index, contract in enumerate(renewing[:8]):
        if index % 2 == 0:
            log_activity(
                session,
                kind="complaint",
                subject="Жалоба на сроки урегулирования убытка",
                happened_at=now - timedelta(days=12),
                now=now,
                user_id=contract.owner_id,
                client_id=contract.client_id,
                outcome="Клиент недоволен сроком выплаты",
            )
            paid = [p for p in contract.payments if p.paid_on is not None]
            if paid:
                paid[-1].paid_on, paid[-1].paid_amount = None, None
        contact = Contact(
            client_id=contract.client_id, full_name="Ирина Павловна Миронова", position="Финансовый директор"
        )
        session.add(contact)
        session.flush()
        contact.is_decision_maker = True  # the audit log records the change of ЛПР
    session.flush()


def _complete(session: Session, engine, renewal: ContractRenewal, element: str, data: dict) -> None:
    task = session.scalar(
        select(HumanTask).where(
            HumanTask.instance_id == renewal.instance_id,
            HumanTask.element_id == element,
            HumanTask.status == TaskStatus.OPEN,
        )
    )
    if task is not None and task.assignee_id is not None:
        complete_process_task(session, engine, session.get_one(User, task.assignee_id), task.id, data)


def _progress(session: Session, engine, renewals: list[ContractRenewal], now) -> None:
    """Renewals further along: КП sent, negotiating, renewed (a linked contract), not renewed."""
    for step, renewal in enumerate(renewals[-4:]):
        contract = renewal.contract
        offer = (renewal.offer or {}).get("premium") or str(contract.premium)
        _complete(
            session, engine, renewal, "prepare_offer", {"premium": offer, "discount": "", "comment": ""}
        )
        if step == 0:
            continue
        _complete(
            session,
            engine,
            renewal,
            "contact_dm",
            {"decision_maker": "Генеральный директор", "result": "Обсудили условия продления"},
        )
        if step == 1:
            deal = session.get_one(Deal, renewal.deal_id)
            move_stage(session, deal, "negotiation", user_id=deal.owner_id, now=now)
        elif step == 2:
            starts = contract.ends_on + timedelta(days=1)
            _complete(
                session,
                engine,
                renewal,
                "renewal_outcome",
                {
                    "outcome": "renewed",
                    "contract_number": f"{contract.number}-П",
                    "contract_start": starts.isoformat(),
                    "contract_end": (starts + timedelta(days=364)).isoformat(),
                    "contract_premium": offer,
                },
            )
        else:
            _complete(
                session,
                engine,
                renewal,
                "renewal_outcome",
                {
                    "outcome": "not_renewed",
                    "loss_reason": "Ушёл к другому брокеру",
                    "loss_comment": "Предложили условия дешевле",
                },
            )


def seed_contracts(context: DemoContext) -> dict[str, int]:
    session = context.session
    engine = context.engine()
    if session.scalar(select(func.count(Contract.id))) or engine.latest_definition("renewal_trigger") is None:
        return {"contracts": 0}
    today = context.clock.now().date()
    made = _book(session, random.Random(2612), today)
    engine.start("renewal_trigger", {})  # today's 09:00 run: queues the contracts in their window
    queued = list(
        session.scalars(
            select(ContractRenewal)
            .where(ContractRenewal.status == RenewalStatus.QUEUED)
            .order_by(ContractRenewal.id)
        )
    )
    for renewal in queued:
        if take(session, renewal.id):
            session.refresh(renewal)
            start_one(session, engine, renewal)
    queued.sort(key=lambda r: (r.contract.owner.login != "manager" if r.contract.owner else True, r.id))
    # A fresh engine: the one that started the instances skips looking their tasks up.
    _progress(session, context.engine(), queued[8:], context.clock.now())
    renewing = [r.contract for r in queued]
    _signals(session, context, renewing)
    horizon = today + timedelta(days=HORIZON_DAYS)
    grace = getattr(context.settings, "escalation_grace", None) or DEFAULT_GRACE
    for contract in session.scalars(
        select(Contract).where(
            Contract.status == ContractStatus.ACTIVE, Contract.ends_on >= today, Contract.ends_on <= horizon
        )
    ):
        apply(session, contract, context.clock.now(), grace=grace)
    session.flush()
    return {"contracts": made, "renewals": len(queued)}
