"""Flow: qualifying a lead goes to the new deal, named after its product, with the qualifying comment
as its first note and the premium typed the Russian way; a refused form keeps what was chosen."""

from decimal import Decimal

from sqlalchemy import select

from models.sales.activities import Activity
from models.sales.deals import Deal
from models.sales.leads import Lead
from tests.conftest import csrf_from, login


def _lead(world) -> Lead:
    lead = world.lead(company="ООО «Северный Склад»", name="Светлана Орлова", phone="+79162223344",
                      comment="ДМС для 120 сотрудников")
    world.session.refresh(lead)
    return lead


def test_qualifying_opens_the_deal_named_after_the_product_with_the_comment(world, client):
    lead = _lead(world)
    login(client, lead.assigned_to.login)
    page = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    answer = client.post(f"/leads/{lead.id}/outcome", data={
        "csrf_token": csrf_from(page), "outcome": "qualified", "product": "ДМС", "premium": "1 500 000,50",
        "comment": "ЛПР — финансовый директор, ждут КП до пятницы"})
    assert answer.status_code == 302
    world.session.expire_all()
    lead = world.session.get(Lead, lead.id)
    assert answer.headers["Location"].endswith(f"/deals/{lead.deal_id}")
    deal = world.session.get(Deal, lead.deal_id)
    assert (deal.title, deal.premium, deal.product_lines) == (
        "ООО «Северный Склад»: ДМС", Decimal("1500000.50"), ["ДМС"])
    notes = world.session.scalars(select(Activity).where(Activity.deal_id == deal.id)).all()
    assert [(n.kind, n.outcome) for n in notes] == [("note", "ЛПР — финансовый директор, ждут КП до пятницы")]
    card = client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert "ЛПР — финансовый директор, ждут КП до пятницы" in card and "1 500 000,50" in card


def test_a_refused_outcome_keeps_what_was_chosen(world, client):
    lead = _lead(world)
    login(client, lead.assigned_to.login)
    page = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    refused = client.post(f"/leads/{lead.id}/outcome", data={
        "csrf_token": csrf_from(page), "outcome": "qualified", "client_kind": "state", "product": "КАСКО",
        "premium": "полтора миллиона", "comment": "Тендер в марте"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert '<option value="qualified" selected>' in html and '<option value="state" selected>' in html
    assert 'value="КАСКО"' in html and 'value="полтора миллиона"' in html and "Тендер в марте" in html
    world.session.expire_all()
    assert world.session.get(Lead, lead.id).deal_id is None
