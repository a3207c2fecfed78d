"""Fixtures for documents: demo staff, funnels, a company with requisites, bank details and a signatory,
its deal, the starter templates uploaded through the same service the page uses.

``DocWorld`` calls the services like a request would (each step commits, as the request's
unit of work does) and reads the database back through the test's own session.
"""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from sqlalchemy.orm import sessionmaker

from engine.bundle import Bundle
from models.clients.cards import Client
from models.clients.requisites import make_inn10, make_kpp, make_ogrn
from models.documents.documents import generate_document
from models.documents.samples import SAMPLES
from models.documents.tables import ClientDocumentDetails, Document
from models.documents.templates import upload_template
from models.platform.settings import PROJECT_ROOT
from models.sales.deals import Deal, open_deal
from models.sales.funnels import ensure_default_funnels, funnel_by_code
from tests.documents.fake_edo import TOKEN, FakeEdo
from web.engine_support import engine_services

PROCESSES = PROJECT_ROOT / "processes"
FORMS = PROJECT_ROOT / "forms"


class DocWorld:
    def __init__(self, session, clock, engine_bind, users, services) -> None:
        self.session = session
        self.clock = clock
        self.users = users
        self.services = services
        self.factory = sessionmaker(bind=engine_bind, expire_on_commit=False)
        self.rng = random.Random(7)
        self.templates: dict[str, int] = {}

    def engine(self, session=None):
        return self.services.engine(session or self.session)

    def deploy(self) -> None:
        self.engine().deploy(Bundle.from_paths([PROCESSES], FORMS))
        self.session.commit()

    def upload_samples(self) -> None:
        for kind, (name, build) in SAMPLES.items():
            version = upload_template(
                self.session,
                self.users["backoffice"],
                kind=kind,
                name=name,
                filename=f"{kind}.docx",
                data=build(),
                now=self.clock.now(),
            )
            self.templates[kind] = version.template_id
        self.session.commit()

    def company(
        self,
        *,
        owner: str = "manager",
        signatory=("Иванов Иван Иванович", "Генеральный директор"),
        email: str = "office@romashka.example",
    ) -> Client:
        client = Client(
            kind="company",
            full_name="Общество с ограниченной ответственностью «Ромашка»",
            short_name="ООО «Ромашка»",
            inn=make_inn10(self.rng),
            kpp=make_kpp(),
            ogrn=make_ogrn(self.rng),
            legal_address="г. Москва, ул. Вавилова, д. 19",
            email=email,
            segment="Крупный",
            owner=self.users[owner],
            head_name=signatory[0],
            head_position=signatory[1],
        )
        self.session.add(client)
        self.session.flush()
        self.session.add(
            ClientDocumentDetails(
                client_id=client.id,
                bank_name="ПАО Сбербанк",
                bik="044525225",
                account="40702810938000000001",
                corr_account="30101810400000000225",
                signatory_basis="Устава",
            )
        )
        self.session.commit()
        return client

    def deal(
        self,
        client: Client | None = None,
        *,
        premium: str = "1234567.885",
        amount: str = "40000000",
        products=("КАСКО",),
        discount: str | None = None,
    ) -> Deal:
        client = client or self.company()
        deal = open_deal(
            self.session,
            client=client,
            funnel=funnel_by_code(self.session, "company"),
            owner_id=client.owner_id,
            now=self.clock.now(),
            title=f"{client.short_name}: КАСКО",
            amount=Decimal(amount),
            premium=Decimal(premium),
            product_lines=list(products),
            competitor_offers=[],
        )
        if discount:
            deal.requested_discount = Decimal(discount)
        self.session.commit()
        return deal

    def generate(self, deal: Deal, kind: str = "contract", user: str = "backoffice") -> Document:
        document = generate_document(
            self.session, self.users[user], deal_id=deal.id, kind=kind, now=self.clock.now()
        )
        self.session.commit()
        return document

    def refresh(self, document: Document) -> Document:
        self.session.expire_all()
        return self.session.get(Document, document.id)


@pytest.fixture
def fake_edo():
    server = FakeEdo().start()
    yield server
    server.stop()


@pytest.fixture
def settings_overrides(tmp_path, fake_edo) -> dict:
    return {
        "forms_dir": FORMS,
        "processes_dir": PROCESSES,
        "base_url": "https://crm.example.ru",
        "edo_url": fake_edo.url,
        "edo_token": TOKEN,
        "edo_timeout": 0.5,
    }


@pytest.fixture
def world(app, session, engine, clock, demo_users) -> DocWorld:
    ensure_default_funnels(session)
    world = DocWorld(session, clock, engine, demo_users, engine_services(app))
    world.upload_samples()
    return world
