"""«Заполнить по ИНН» against a DaData-compatible server of ours; a slow registry never blocks saving."""

import time

import pytest
from sqlalchemy import select

from integrations.registry.client import HttpRegistry, RegistryError, UnconfiguredRegistry, lookup_company
from models.clients.cards import Client
from tests.clients.conftest import REGISTRY_TOKEN, company_values, make_client
from tests.conftest import csrf_from, login


def test_client_reads_the_api_format(registry):
    info = HttpRegistry(registry.url, REGISTRY_TOKEN, timeout=2).find_by_inn("7707083893")
    assert info.full_name == "ПУБЛИЧНОЕ АКЦИОНЕРНОЕ ОБЩЕСТВО «СБЕРБАНК РОССИИ»"
    assert (info.short_name, info.kpp, info.ogrn) == ("ПАО СБЕРБАНК", "773601001", "1027700132195")
    assert info.address == "г Москва, ул Вавилова, д 19"
    assert (info.head_name, info.status, info.party_type) == ("Греф Герман Оскарович", "ACTIVE", "LEGAL")
    assert registry.requests[-1] == {"path": "/suggestions/api/4_1/rs/findById/party",
                                     "auth": f"Token {REGISTRY_TOKEN}", "body": {"query": "7707083893"}}
    assert HttpRegistry(registry.url, REGISTRY_TOKEN).find_by_inn("7736050003") is None


def test_registry_failures_are_sorted_and_explained(registry):
    with pytest.raises(RegistryError) as wrong_token:
        HttpRegistry(registry.url, "wrong").find_by_inn("7707083893")
    assert not wrong_token.value.retryable and "CRM_REGISTRY_TOKEN" in wrong_token.value.message
    registry.status = 503
    with pytest.raises(RegistryError) as unavailable:
        HttpRegistry(registry.url, REGISTRY_TOKEN).find_by_inn("7707083893")
    assert unavailable.value.retryable
    with pytest.raises(RegistryError) as bad_inn:
        lookup_company(HttpRegistry(registry.url, REGISTRY_TOKEN), "7707083894")
    assert bad_inn.value.message == "Неверная контрольная цифра ИНН"
    with pytest.raises(RegistryError, match="не настроен"):
        UnconfiguredRegistry().find_by_inn("7707083893")


def test_slow_registry_times_out_quickly(registry):
    registry.delay = 2.0
    started = time.monotonic()
    with pytest.raises(RegistryError) as exc:
        HttpRegistry(registry.url, REGISTRY_TOKEN, timeout=0.3).find_by_inn("7707083893")
    assert time.monotonic() - started < 1.5
    assert exc.value.retryable and "не ответил за 0.3 с" in exc.value.message


def _new_form(client):
    return csrf_from(client.get("/clients/new").get_data(as_text=True))


def test_fill_by_inn_on_the_page(client, demo_users, registry):
    login(client, "manager")
    token = _new_form(client)
    response = client.post("/clients/new", data={"csrf_token": token, "action": "fill", "kind": "company",
                                                 "inn": "7707083893", "phones": "8 495 500 55 50"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Карточка заполнена по данным реестра" in page
    for text in ("ПАО СБЕРБАНК", "773601001", "1027700132195", "ул Вавилова", "Греф Герман Оскарович",
                 "8 495 500 55 50"):
        assert text in page, text


def test_liquidated_company_is_flagged_on_its_card(client, session, demo_users, registry):
    values = company_values("Банкрот")
    registry.add(values["inn"], "Банкрот", status="LIQUIDATED", kpp=values["kpp"], ogrn=values["ogrn"])
    login(client, "manager")
    token = _new_form(client)
    filled = client.post("/clients/new", data={"csrf_token": token, "action": "fill", "kind": "company",
                                               "inn": values["inn"]})
    assert "компания ликвидирована" in filled.get_data(as_text=True)
    assert 'name="registry_status" value="LIQUIDATED"' in filled.get_data(as_text=True)
    saved = client.post("/clients/new", data={**values, "csrf_token": token, "registry_status": "LIQUIDATED",
                                              "owner_id": str(demo_users["manager"].id)})
    assert saved.status_code == 302
    card = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert 'id="registry-warning"' in card and "Ликвидирована" in card


def test_timeout_keeps_the_form_and_saving_still_works(client, session, demo_users, registry):
    registry.delay = 2.0
    values = company_values("Терпение", phones="+7 495 765-43-21")
    login(client, "manager")
    token = _new_form(client)
    started = time.monotonic()
    response = client.post("/clients/new", data={**values, "csrf_token": token, "action": "fill"})
    # the registry answers after 2.0 s: only the 0.3 s timeout gets the page back under 1.9 s
    assert time.monotonic() - started < 1.9
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Реестр не ответил" in page
    assert "ООО «Терпение»" in page and "+7 495 765-43-21" in page
    saved = client.post("/clients/new", data={**values, "csrf_token": token})
    assert saved.status_code == 302
    assert session.scalar(select(Client).where(Client.inn == values["inn"])).registry_status is None


def test_check_in_registry_from_the_card(client, session, demo_users, registry):
    known = make_client(session, demo_users["manager"], "Проверка")
    registry.add(known.inn, "Проверка", status="BANKRUPT")
    login(client, "manager")
    card = client.get(f"/clients/{known.id}").get_data(as_text=True)
    response = client.post(f"/clients/{known.id}/registry", data={"csrf_token": csrf_from(card)})
    assert response.status_code == 302
    session.refresh(known)
    assert known.registry_status == "BANKRUPT" and known.head_name == "Иванов Иван Иванович"
    assert "Банкротство" in client.get(f"/clients/{known.id}").get_data(as_text=True)
    registry.delay = 2.0
    other = make_client(session, demo_users["manager"], "Медленная")
    response = client.post(f"/clients/{other.id}/registry", data={"csrf_token": csrf_from(card)},
                           follow_redirects=True)
    assert "Реестр не ответил" in response.get_data(as_text=True)
    session.refresh(other)
    assert other.registry_status is None


def test_invalid_inn_is_not_sent_to_the_registry(client, demo_users, registry):
    login(client, "manager")
    response = client.post("/clients/new", data={"csrf_token": _new_form(client), "action": "fill",
                                                 "kind": "company", "inn": "7707083894"})
    assert response.status_code == 422
    assert "Неверная контрольная цифра ИНН" in response.get_data(as_text=True)
    assert registry.requests == []
