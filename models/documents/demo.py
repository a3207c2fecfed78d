"""Demo documents: the starter templates, bank details and signatories of the demo companies, and a few
documents on demo deals (a contract in draft, one on its approval route), so every page has something.

Bank details are real banks' BICs and correspondent accounts with settlement accounts whose
control key is right for the BIC (checked by the clients' own ``settlement_account_error``);
signatories are the card's head where the registry gave one, else a generated person. Loaded
once (nothing is added when templates exist).
"""

from __future__ import annotations

import random

from sqlalchemy import func, select

from engine.tables import HumanTask, TaskStatus
from models.clients.cards import Client, ClientKind
from models.clients.requisites import settlement_account_error
from models.documents.approval import PROCESS, start_approval
from models.documents.documents import generate_document
from models.documents.samples import SAMPLES
from models.documents.tables import ClientDocumentDetails, Document, DocumentTemplate
from models.documents.templates import upload_template
from models.identity.users import find_user
from models.platform.registry import DemoContext
from models.sales.deals import Deal, DealStatus

LIMIT_FOR_HEAD = 5_000_000  # the route table sends contracts above it on to the head

BANKS = (
    ("ПАО Сбербанк", "044525225", "30101810400000000225"),
    ("Банк ВТБ (ПАО)", "044525187", "30101810700000000187"),
    ("АО «Альфа-Банк»", "044525593", "30101810200000000593"),
)
PEOPLE = (
    ("Иванов Иван Иванович", "Генеральный директор"),
    ("Петрова Анна Сергеевна", "Генеральный директор"),
    ("Смирнов Олег Петрович", "Директор"),
    ("Кузнецова Мария Андреевна", "Финансовый директор"),
)


def settlement_account(rng: random.Random, bic: str) -> str:
    """A 40702… account whose control key fits ``bic``."""
    body = "40702810" + "".join(str(rng.randrange(10)) for _ in range(12))
    for key in range(10):
        account = body[:8] + str(key) + body[9:]
        if settlement_account_error(account, bic) is None:
            return account
    raise AssertionError("a control key always exists")


def seed_documents(context: DemoContext) -> dict[str, int]:
    session = context.session
    if session.scalar(select(func.count(DocumentTemplate.id))):
        return {"document_templates": 0}
    now = context.clock.now()
    backoffice = find_user(session, "backoffice")
    if backoffice is None:
        return {"document_templates": 0}
    for kind, (name, build) in SAMPLES.items():
        upload_template(
            session, backoffice, kind=kind, name=name, filename=f"{kind}.docx", data=build(), now=now
        )
    rng = random.Random(10)
    companies = list(
        session.scalars(select(Client).where(Client.kind == ClientKind.COMPANY.value).order_by(Client.id))
    )
    for client in companies:
        bank, bic, corr = BANKS[client.id % len(BANKS)]
        name, position = PEOPLE[client.id % len(PEOPLE)]
        if client.head_name and len(client.head_name.split()) == 3:
            name, position = client.head_name, client.head_position or position
        session.add(
            ClientDocumentDetails(
                client_id=client.id,
                bank_name=bank,
                bik=bic,
                account=settlement_account(rng, bic),
                corr_account=corr,
                signatory_name=name,
                signatory_position=position,
                signatory_basis="Устава",
                updated_at=now,
            )
        )
    session.flush()
    made = _documents(context, backoffice)
    return {"document_templates": len(SAMPLES), "client_document_details": len(companies), "documents": made}


def _documents(context: DemoContext, backoffice) -> int:
    session = context.session
    deals = list(
        session.scalars(
            select(Deal)
            .join(Client, Client.id == Deal.client_id)
            .where(
                Deal.status == DealStatus.OPEN,
                Deal.premium.is_not(None),
                Client.kind == ClientKind.COMPANY.value,
            )
            .order_by(Deal.id)
            .limit(2)
        )
    )
    made = 0
    for n, deal in enumerate(deals):
        document = generate_document(
            session, backoffice, deal_id=deal.id, kind="contract", now=context.clock.now()
        )
        made += 1
        engine = context.engine()
        if n == 1 and engine.latest_definition(PROCESS) is not None:
            start_approval(session, engine, backoffice, document.id, context.clock.now())
    return made + _offer_for_senior(context, backoffice, deals) + _contracts_further_on(context, backoffice)


def _decide_stage(context: DemoContext, document_id: int, decision: dict) -> None:
    """Every open approval task of the document decided as ``decision`` by its assignee."""
    session, engine = context.session, context.engine()
    document = session.get(Document, document_id)
    if document is None or document.instance_id is None:
        return
    tasks = session.scalars(select(HumanTask).where(HumanTask.instance_id == document.instance_id,
                                                    HumanTask.status == TaskStatus.OPEN))
    for task in list(tasks):
        engine.complete_task(task.id, decision, task.assignee_id)


def _contracts_further_on(context: DemoContext, backoffice) -> int:
    """A large contract past its lawyer and underwriter, waiting for the head, and a contract the
    lawyer sent back, waiting for the back office to rework it: both homes show their documents."""
    session, engine = context.session, context.engine()
    if engine.latest_definition(PROCESS) is None:
        return 0
    now = context.clock.now()
    made = 0
    large = session.scalar(select(Deal).where(Deal.status == DealStatus.OPEN, Deal.premium > LIMIT_FOR_HEAD)
                           .order_by(Deal.id).limit(1))
    if large is not None:
        document = generate_document(session, backoffice, deal_id=large.id, kind="contract", now=now)
        start_approval(session, engine, backoffice, document.id, now)
        _decide_stage(context, document.id, {"decision": "approve", "comment": "Замечаний нет"})
        made += 1
    other = session.scalar(select(Deal).join(Client, Client.id == Deal.client_id).where(
        Deal.status == DealStatus.OPEN, Deal.premium.is_not(None), Deal.premium <= LIMIT_FOR_HEAD,
        Client.kind == ClientKind.COMPANY.value,
        Deal.id.not_in(select(Document.deal_id).where(Document.deal_id.is_not(None)))).order_by(Deal.id.desc()).limit(1))
    if other is not None:
        document = generate_document(session, backoffice, deal_id=other.id, kind="contract", now=now)
        start_approval(session, engine, backoffice, document.id, now)
        rework = {"decision": "rework", "comment": "Уточните срок страхования и порядок оплаты в п. 4.2"}
        _decide_stage(context, document.id, rework)
        made += 1
    return made


def _offer_for_senior(context: DemoContext, backoffice, taken: list[Deal]) -> int:
    """A КП without a discount on its route: the senior manager's home shows it waiting for her."""
    session, engine = context.session, context.engine()
    if engine.latest_definition(PROCESS) is None:
        return 0
    deal = session.scalar(select(Deal).join(Client, Client.id == Deal.client_id).where(
        Deal.status == DealStatus.OPEN, Deal.premium.is_not(None), Deal.requested_discount.is_(None),
        Client.kind == ClientKind.COMPANY.value, Deal.id.not_in([d.id for d in taken] or [0]))
        .order_by(Deal.id).limit(1))
    if deal is None:
        return 0
    document = generate_document(session, backoffice, deal_id=deal.id, kind="offer", now=context.clock.now())
    start_approval(session, engine, backoffice, document.id, context.clock.now())
    return 1
