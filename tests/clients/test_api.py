"""``/api/v1/clients``: the same search, rules and access as the pages, JSON errors with field messages."""

import pytest
from sqlalchemy import func, select

from models.clients.cards import Client
from models.identity.users import issue_api_token
from tests.clients.conftest import company_values, make_client
from tests.conftest import login


@pytest.fixture
def api(client, session, demo_users):
    """A test client authenticated by the manager's API token (no cookies, no CSRF)."""
    token = issue_api_token(session, demo_users["manager"], "tests")
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}

    class Api:
        def get(self, path, **kw):
            return client.get(f"/api/v1{path}", headers=headers, **kw)

        def post(self, path, body):
            return client.post(f"/api/v1{path}", json=body, headers=headers)

        def patch(self, path, body):
            return client.patch(f"/api/v1{path}", json=body, headers=headers)

    return Api()


def _body(values):
    body = {k: v for k, v in values.items() if k not in ("phones", "emails")}
    body["phones"] = [values["phones"]] if values.get("phones") else []
    return body


def test_create_get_and_list(api, session, demo_users):
    values = company_values("Апи", phones="8 (495) 101-01-01")
    created = api.post("/clients", {**_body(values), "tags": ["api"], "emails": ["API@firm.ru"]})
    assert created.status_code == 201
    data = created.json
    assert data["phones"] == ["+74951010101"] and data["emails"] == ["api@firm.ru"]
    assert data["owner_id"] == demo_users["manager"].id and data["contacts"] == []
    assert api.get(f"/clients/{data['id']}").json["inn"] == values["inn"]
    for q in (values["inn"], "+7 495 1010101", "апи", "api@FIRM.ru"):
        listed = api.get("/clients", query_string={"q": q}).json
        assert [c["id"] for c in listed["items"]] == [data["id"]], q
    assert "contacts" not in listed["items"][0]


def test_list_filters_and_cursor(api, session, demo_users):
    for i in range(7):
        make_client(session, demo_users["manager"], f"Курсор {i}", territory="Омск" if i % 2 else "Тверь")
    first = api.get("/clients", query_string={"territory": "Омск", "limit": 2}).json
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = api.get("/clients", query_string={"territory": "Омск", "limit": 2,
                                               "cursor": first["next_cursor"]}).json
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    bad = api.get("/clients", query_string={"created_from": "вчера"})
    assert bad.status_code == 422
    assert bad.json["error"]["fields"] == {"created_from": "Дата в формате ГГГГ-ММ-ДД"}


def test_validation_errors_are_json_with_field_messages(api, session):
    before = session.scalar(select(func.count(Client.id)))
    response = api.post("/clients", _body(company_values(inn="7707083894", ogrn="123")))
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation" and error["message"] == "Проверьте поля карточки"
    assert error["fields"] == {"inn": "Неверная контрольная цифра ИНН",
                               "ogrn": "ОГРН должен содержать 13 цифр, а не 3"}
    unknown = api.post("/clients", {**_body(company_values()), "colour": "red", "owner_id": "x"})
    assert unknown.status_code == 422
    assert unknown.json["error"]["fields"] == {"colour": "Неизвестное поле",
                                               "owner_id": "Ожидается целое число"}
    wrong_type = api.post("/clients", {**_body(company_values()), "phones": "8 495 000 00 00"})
    assert wrong_type.json["error"]["fields"] == {"phones": "Ожидается список строк"}
    assert session.scalar(select(func.count(Client.id))) == before


def test_duplicates_answer_409_unless_ignored(api, session, demo_users):
    known = make_client(session, demo_users["manager"], "Дубль", inn="7707083893", kpp="773601001",
                        ogrn="1027700132195")
    body = _body(company_values("Дубль", inn="7707083893", kpp="773601001", ogrn="1027700132195"))
    conflict = api.post("/clients", body)
    assert conflict.status_code == 409
    duplicates = conflict.json["error"]["duplicates"]
    assert duplicates[0]["id"] == known.id and "Совпадают ИНН и КПП" in duplicates[0]["reasons"]
    assert api.post("/clients", {**body, "ignore_duplicates": True}).status_code == 201
    found = api.get("/clients/duplicates", query_string={"inn": "7707083893", "kpp": "773601001"}).json
    assert len(found["duplicates"]) == 2
    by_name = api.get("/clients/duplicates", query_string={"name": "ООО Дубль"}).json["duplicates"]
    assert {d["id"] for d in by_name} >= {known.id}
    assert api.get("/clients/duplicates").status_code == 422


def test_patch_changes_only_given_fields_and_refuses_bad_ones(api, session, demo_users):
    known = make_client(session, demo_users["manager"], "Патч", territory="Москва")
    ok = api.patch(f"/clients/{known.id}", {"territory": "Самара", "phones": ["8 495 000 11 11"]})
    assert ok.status_code == 200 and ok.json["territory"] == "Самара"
    assert ok.json["phones"] == ["+74950001111"] and ok.json["inn"] == known.inn
    bad = api.patch(f"/clients/{known.id}", {"kpp": "1", "territory": "Тула"})
    assert bad.status_code == 422
    assert bad.json["error"]["fields"] == {"kpp": "КПП должен содержать 9 символов, а не 1"}
    session.refresh(known)
    assert known.territory == "Самара"


def test_merge_through_the_api(api, session, demo_users):
    survivor = make_client(session, demo_users["manager"], "Главная", contacts=("Первый",))
    other = make_client(session, demo_users["manager"], "Вторая", contacts=("Второй",), territory="Псков")
    response = api.post(f"/clients/{survivor.id}/merge", {"other_id": other.id,
                                                          "choices": {"territory": "other"},
                                                          "reason": "API"})
    assert response.status_code == 200
    assert response.json["territory"] == "Псков"
    assert sorted(c["full_name"] for c in response.json["contacts"]) == ["Второй", "Первый"]
    assert api.get(f"/clients/{other.id}").status_code == 404
    missing = api.post(f"/clients/{survivor.id}/merge", {"choices": {}})
    assert missing.status_code == 422 and missing.json["error"]["fields"] == {"other_id": "Укажите other_id"}


def test_openapi_documents_the_client_endpoints(client, demo_users):
    login(client, "manager")
    spec = client.get("/api/v1/openapi.json").json
    assert {"/api/v1/clients", "/api/v1/clients/{client_id}", "/api/v1/clients/{client_id}/merge",
            "/api/v1/clients/duplicates"} <= set(spec["paths"])
