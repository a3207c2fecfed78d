"""1С OData against a local fake: acceptance 5 — a field changed on both sides differently produces a
conflict report and overwrites nothing; one-sided changes flow both ways; picking a side writes it;
invoices from deals are created once (our Ref_Key); payments are stored once per document and
published as ``payment.received`` for the contracts package."""

from __future__ import annotations

import types
from decimal import Decimal

import pytest
from sqlalchemy import select

from integrations.onec.exchange import exchange
from integrations.onec.tables import OnecConflict, OnecCounterparty, OnecInvoice, OnecPayment
from models.clients.cards import Client
from models.platform.registry import Registry
from models.sales.deals import open_deal
from models.sales.funnels import ensure_default_funnels, funnel_by_code
from tests.conftest import csrf_from, login
from tests.integrations.http_fake import FakeServer
from tests.integrations.onec.fake_onec import PASSWORD, USER, OneCFake
from web.scheduler import job_context

HEARD: list = []


def _register(registry: Registry) -> None:
    registry.subscribe("payment.received", lambda session, event: HEARD.append(event.payload))


CONTRACTS = types.ModuleType("contracts_listener")
CONTRACTS.register = _register  # type: ignore[attr-defined]


@pytest.fixture
def extra_packages():
    return (CONTRACTS,)


@pytest.fixture
def onec():
    fake = OneCFake()
    with FakeServer(fake) as server:
        server.fake = fake
        yield server


@pytest.fixture
def settings_overrides(onec):
    return {"onec_url": onec.url + "/odata/standard.odata", "onec_user": USER, "onec_password": PASSWORD}


@pytest.fixture
def company(session, demo_users):
    client = Client(
        kind="company",
        full_name="Общество с ограниченной ответственностью «Ромашка»",
        short_name="ООО «Ромашка»",
        inn="7707083893",
        kpp="770701001",
        ogrn="1027700132195",
        owner=demo_users["manager"],
    )
    session.add(client)
    session.commit()
    return client


def _run(app):
    return exchange(job_context(app))


def test_conflicting_change_is_reported_and_overwrites_nothing(
    app, client, session, onec, company, demo_users
):
    assert _run(app)["counterparties"] == {"created": 1}
    link = session.get(OnecCounterparty, company.id)
    remote = onec.fake.counterparties[link.ref_key]
    assert (remote["ИНН"], remote["КПП"], remote["Description"]) == (
        "7707083893",
        "770701001",
        "ООО «Ромашка»",
    )

    company.full_name = "ООО «Ромашка плюс» (CRM)"
    session.commit()
    remote["НаименованиеПолное"] = "ООО «Ромашка-1С»"
    writes_before = list(onec.fake.writes)
    assert _run(app)["counterparties"] == {"conflict": 1}
    assert _run(app)["counterparties"] == {"conflict": 1}  # reported once, still nothing written

    session.expire_all()
    conflict = session.scalars(select(OnecConflict)).one()
    assert (conflict.field, conflict.base_value, conflict.crm_value, conflict.onec_value) == (
        "full_name",
        "Общество с ограниченной ответственностью «Ромашка»",
        "ООО «Ромашка плюс» (CRM)",
        "ООО «Ромашка-1С»",
    )
    assert session.get(Client, company.id).full_name == "ООО «Ромашка плюс» (CRM)"  # the card is untouched
    assert remote["НаименованиеПолное"] == "ООО «Ромашка-1С»" and onec.fake.writes == writes_before  # 1С too

    login(client, "admin")
    page = client.get("/integrations/admin/onec").get_data(as_text=True)
    assert "ООО «Ромашка-1С»" in page and "Оставить CRM" in page
    assert (
        client.post(
            f"/integrations/admin/onec/conflicts/{conflict.id}",
            data={"side": "crm", "csrf_token": csrf_from(page)},
        ).status_code
        == 302
    )
    assert _run(app)["counterparties"] == {"pushed": 1}
    assert remote["НаименованиеПолное"] == "ООО «Ромашка плюс» (CRM)"


def test_one_sided_changes_flow_both_ways(app, session, onec, company, demo_users):
    onec.fake.add_counterparty(
        Description="ООО «Ромашка»", НаименованиеПолное=company.full_name, ИНН=company.inn, КПП=company.kpp
    )
    assert _run(app)["counterparties"] == {"same": 1}  # found by INN/KPP, equal: linked, nothing written
    assert onec.fake.writes == []
    link = session.get(OnecCounterparty, company.id)
    remote = onec.fake.counterparties[link.ref_key]

    remote["Description"] = "Ромашка (1С)"
    company.kpp = "770702002"
    session.commit()
    assert _run(app)["counterparties"] == {"both": 1}
    session.expire_all()
    assert session.get(Client, company.id).short_name == "Ромашка (1С)"
    assert remote["КПП"] == "770702002"
    assert session.scalars(select(OnecConflict)).all() == []


def test_invoice_from_a_deal_is_created_once_even_when_the_answer_is_lost(
    app, client, session, onec, company, demo_users
):
    ensure_default_funnels(session)
    deal = open_deal(
        session,
        client=company,
        funnel=funnel_by_code(session, "company"),
        owner_id=demo_users["manager"].id,
        now=app.extensions["crm.clock"].now(),
        title="КАСКО парк",
        amount=Decimal("10000000"),
        premium=Decimal("250000.50"),
        product_lines=["КАСКО"],
        competitor_offers=[],
    )
    session.commit()
    login(client, "manager")
    card = client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert "Выставить счёт в 1С" in card
    assert (
        client.post(
            f"/integrations/onec/deals/{deal.id}/invoice", data={"csrf_token": csrf_from(card)}
        ).status_code
        == 302
    )
    assert onec.fake.invoices == {}  # the request only queued it
    onec.fake.fail_next_invoice_answer = True
    assert _run(app).get("stopped") is True
    assert session.scalars(select(OnecInvoice)).one().status == "queued"
    _run(app)
    session.expire_all()
    invoice = session.scalars(select(OnecInvoice)).one()
    assert invoice.status == "created" and len(onec.fake.invoices) == 1
    document = onec.fake.invoices[invoice.ref_key]
    assert document["СуммаДокумента"] == "250000.50" and invoice.number == document["Number"]
    link = session.get(OnecCounterparty, company.id)
    assert document["Контрагент_Key"] == link.ref_key


def test_payments_are_stored_once_and_published_for_contracts(app, session, onec, company, clock):
    HEARD.clear()
    _run(app)
    ref = session.get(OnecCounterparty, company.id).ref_key
    day = clock.now().strftime("%Y-%m-%dT00:00:00")
    onec.fake.payments.append(
        {
            "Ref_Key": "0b6c1a9e-0000-4000-8000-000000000001",
            "Number": "00-000123",
            "Date": day,
            "Posted": True,
            "Контрагент_Key": ref,
            "СуммаДокумента": 125000.25,
            "НазначениеПлатежа": "Оплата по договору Д-2026/15",
            "ДоговорКонтрагента": {"Ref_Key": "x", "Номер": "Д-2026/15", "Description": "Договор Д-2026/15"},
        }
    )
    assert _run(app)["payments"] == 1
    assert _run(app)["payments"] == 0
    payment = session.scalars(select(OnecPayment)).one()
    assert (payment.contract_number, payment.amount, payment.client_id) == (
        "Д-2026/15",
        Decimal("125000.25"),
        company.id,
    )
    assert [
        {
            "payment_id": payment.id,
            "contract_number": "Д-2026/15",
            "client_id": company.id,
            "amount": "125000.25",
            "paid_on": clock.now().date().isoformat(),
            "number": "00-000123",
        }
    ] == HEARD


def test_refused_account_and_outage_are_logged_and_stop_the_run(app, client, session, onec, company):
    settings = app.extensions["crm.settings"]
    settings.onec_password = "wrong"
    result = _run(app)
    assert result["counterparties"] == {} and session.scalars(select(OnecCounterparty)).all() == []
    settings.onec_url = "http://127.0.0.1:9/odata/standard.odata"
    assert _run(app).get("stopped") is True
    login(client, "admin")
    page = client.get("/integrations/admin/onec").get_data(as_text=True)
    assert "отклонила логин" in page and "недоступна" in page
