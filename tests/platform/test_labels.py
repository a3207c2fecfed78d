"""Labels of business objects: every type a list names, read in one statement, each label as its
package words it (a discount's percentage the way people write it, a lead by company or name),
and an object that is gone named by its type and number."""

from __future__ import annotations

from sqlalchemy import func, select

from models.clients.cards import Client
from models.collaboration.requests import KINDS, DepartmentRequest
from models.contracts.contracts import Contract
from models.discounts.requests import DiscountRequest, percent
from models.documents.tables import Document
from models.platform.labels import labels
from models.sales.deals import Deal
from models.sales.leads import Lead
from tests.demo_data import load_demo
from tests.statements import counted


def _first(session, model):
    found = session.scalars(select(model).order_by(model.id)).first()
    assert found is not None, f"the demo data has a {model.__name__}"
    return found


def test_every_type_is_named_in_one_statement_as_its_package_words_it(app, session, engine):
    load_demo(app)
    client, lead, deal = _first(session, Client), _first(session, Lead), _first(session, Deal)
    contract, document = _first(session, Contract), _first(session, Document)
    discount = session.scalars(select(DiscountRequest).where(DiscountRequest.discount_pct
                                                             != func.round(DiscountRequest.discount_pct))
                               .order_by(DiscountRequest.id)).first() or _first(session, DiscountRequest)
    request = _first(session, DepartmentRequest)
    refs = [("client", client.id), ("lead", lead.id), ("deal", deal.id), ("contract", contract.id),
            ("document", document.id), ("discount_request", discount.id), ("department_request", request.id),
            ("deal", 987_654), ("lead", None), (None, 5)]
    with counted(engine) as seen:
        named = labels(session, refs)
    assert len(seen) == 1 and seen[0].count("UNION ALL") == 6, seen
    deal_of_discount = session.get(Deal, discount.deal_id)
    assert named == {
        ("client", client.id): client.short_name or client.full_name,
        ("lead", lead.id): f"Лид: {lead.company or lead.name or lead.id}",
        ("deal", deal.id): f"Сделка: {deal.title}",
        ("contract", contract.id): f"Договор № {contract.number} ({contract.product})",
        ("document", document.id): document.title,
        ("discount_request", discount.id):
            f"Скидка {percent(discount.discount_pct)} % ({discount.product}): {deal_of_discount.title}",
        ("department_request", request.id):
            f"Запрос №{request.id}: {KINDS[request.kind].label} — {request.subject}",
        ("deal", 987_654): "Сделка №987654",
    }


def test_one_type_alone_is_a_plain_select(app, session, engine):
    load_demo(app)
    client = _first(session, Client)
    with counted(engine) as seen:
        named = labels(session, [("client", client.id), ("client", client.id)])
    assert named == {("client", client.id): client.short_name or client.full_name}
    assert len(seen) == 1 and "UNION" not in seen[0], seen
    with counted(engine) as seen:
        assert labels(session, [("client", None), ("nothing", 3)]) == {("nothing", 3): "nothing №3"}
    assert seen == [], "nothing to name asks nothing"
