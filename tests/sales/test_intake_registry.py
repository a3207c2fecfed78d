"""Site leads with an INN but no industry: the industry comes from the registry's ОКВЭД and routes
the lead; an unreachable or failing registry never costs the lead — it is routed by region only.

The registry is our own DaData-format server on 127.0.0.1 (``tests/registry_fake.py``).
"""

from models.sales.leads import Lead
from models.sales.regions import industry_from_okved

LOGISTICS_INN = "7702070139"  # checksum-valid
TRANSPORT_INN = "7710140679"


def _site_lead(client, world, **fields) -> Lead:
    answer = client.post("/intake/lead", data={"consent": "1", "source": "site", **fields})
    assert answer.status_code == 202, answer.get_data(as_text=True)
    world.session.expire_all()
    return world.session.get(Lead, answer.get_json()["lead_id"])


def test_the_industry_of_the_inn_routes_a_site_lead(world, client, registry):
    registry.add(LOGISTICS_INN, "Грузовые перевозки", okved="49.41")
    lead = _site_lead(client, world, name="Олег", company="ООО «Грузовые перевозки»", inn=LOGISTICS_INN,
                      phone="+7 916 111-22-33", territory="Москва")
    assert lead.industry == "Логистика"
    assert lead.team_code == "moscow_logistics"
    assert "отрасль Логистика" in lead.routing_reason
    assert registry.requests[-1]["body"] == {"query": LOGISTICS_INN}


def test_what_the_person_chose_wins_over_the_registry(world, client, registry):
    registry.add(LOGISTICS_INN, "Грузовые перевозки", okved="49.41")
    lead = _site_lead(client, world, name="Олег", company="ООО «Грузовые перевозки»", inn=LOGISTICS_INN,
                      phone="+7 916 111-22-33", territory="Москва", industry="Строительство")
    assert lead.industry == "Строительство" and lead.team_code == "general"
    assert registry.requests == []


def test_a_failing_registry_keeps_the_lead_and_routes_it_by_region(world, client, registry):
    registry.add(LOGISTICS_INN, "Грузовые перевозки", okved="49.41")
    registry.status = 503
    moscow = _site_lead(client, world, name="Олег", company="ООО «Грузовые перевозки»", inn=LOGISTICS_INN,
                        phone="+7 916 111-22-33", territory="Москва")
    assert moscow.industry is None and moscow.team_code == "general"
    assert "отрасль" not in moscow.routing_reason
    registry.status = 200
    registry.delay = 1.0  # longer than the 0.5 s timeout of the tests
    kazan = _site_lead(client, world, name="Тимур", company="ООО «Казанский транспорт»", inn=TRANSPORT_INN,
                       phone="+7 (843) 210-55-17")
    assert kazan.industry is None and kazan.territory == "Казань" and kazan.team_code == "regions"


def test_an_unreachable_registry_keeps_the_lead(world, client):
    # the tests' settings point the registry at 127.0.0.1:1, where nothing listens
    lead = _site_lead(client, world, name="Олег", company="ООО «Грузовые перевозки»", inn=LOGISTICS_INN,
                      phone="+7 916 111-22-33", territory="Санкт-Петербург")
    assert lead.industry is None and lead.team_code == "regions"


def test_okved_codes_name_industries():
    assert industry_from_okved("49.41") == "Логистика"
    assert industry_from_okved("49.31.2") == "Транспорт"
    assert industry_from_okved("52.10") == "Логистика"
    assert industry_from_okved("62.01") == "ИТ"
    assert industry_from_okved("41.20") == "Строительство"
    assert industry_from_okved("84.11") is None and industry_from_okved(None) is None
