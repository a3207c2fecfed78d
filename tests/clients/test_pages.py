"""The client pages: list, card, create and edit with Russian errors, contacts, bulk update, export."""

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from models.clients.cards import Client, Contact
from models.platform.audit import AuditLog
from tests.clients.conftest import company_values, make_client
from tests.conftest import csrf_from, login


def _token(client, path="/clients/"):
    return csrf_from(client.get(path).get_data(as_text=True))


def test_list_searches_and_pages(client, session, demo_users):
    manager = demo_users["manager"]
    for i in range(55):
        make_client(session, manager, f"Компания {i:02d}")
    make_client(session, demo_users["manager2"], "Компания чужая")
    login(client, "manager")
    page = client.get("/clients/").get_data(as_text=True)
    assert page.count('name="ids"') == 50 and "Компания чужая" not in page
    assert 'rel="next"' in page
    next_url = page.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = client.get(next_url).get_data(as_text=True)
    assert second.count('name="ids"') == 5 and "Компания 54" in second
    found = client.get("/clients/?q=компания+07").get_data(as_text=True)
    assert "ООО «Компания 07»" in found and found.count('name="ids"') == 1
    assert client.get("/clients/?kind=alien").status_code == 422


def test_create_refuses_bad_input_in_russian_and_keeps_it(client, session, demo_users):
    login(client, "manager")
    token = _token(client, "/clients/new")
    values = company_values("Опечатка", inn="7707083894", kpp="12", phones="8 495 12",
                            notes="Важный клиент")
    response = client.post("/clients/new", data={**values, "csrf_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("Неверная контрольная цифра ИНН", "КПП должен содержать 9 символов, а не 2",
                    "Телефон «8 495 12» не похож на номер"):
        assert message in page
    assert "Важный клиент" in page and "ООО «Опечатка»" in page and 'value="7707083894"' in page
    assert session.scalar(select(Client).where(Client.short_name == "ООО «Опечатка»")) is None


def test_create_warns_about_duplicates_then_allows_them(client, session, demo_users):
    make_client(session, demo_users["manager"], "Оригинал", phone="+74957770000", inn=None, kpp=None,
                ogrn=None, kind="person", full_name="Оригинал Сервис", short_name=None)
    login(client, "manager")
    token = _token(client, "/clients/new")
    data = {"csrf_token": token, "kind": "person", "full_name": "Копия Сервис",
            "phones": "8 (495) 777-00-00", "status": "active"}
    response = client.post("/clients/new", data=data)
    assert response.status_code == 409
    assert "Совпадает телефон +7 (495) 777-00-00" in response.get_data(as_text=True)
    assert session.scalar(select(Client).where(Client.full_name == "Копия Сервис")) is None
    created = client.post("/clients/new", data={**data, "ignore_duplicates": "1"})
    assert created.status_code == 302
    copy = session.scalar(select(Client).where(Client.full_name == "Копия Сервис"))
    assert copy.phone == "+74957770000" and copy.owner_id == demo_users["manager"].id
    card = client.get(f"/clients/{copy.id}").get_data(as_text=True)
    assert "Оригинал Сервис" in card and "Совпадает телефон" in card


def test_edit_shows_in_history_with_who_and_old_and_new(client, session, demo_users):
    known = make_client(session, demo_users["manager"], "История", territory="Москва")
    login(client, "manager")
    form = client.get(f"/clients/{known.id}/edit").get_data(as_text=True)
    assert "ООО «История»" in form
    data = {**company_values("История", inn=known.inn, kpp=known.kpp, ogrn=known.ogrn),
            "territory": "Казань", "owner_id": str(demo_users["manager"].id), "csrf_token": csrf_from(form)}
    assert client.post(f"/clients/{known.id}/edit", data=data).status_code == 302
    card = client.get(f"/clients/{known.id}").get_data(as_text=True)
    history = card.split('id="history"')[1]
    assert "Иван Сергеевич Петров" in history
    assert "<td>Территория</td><td>Москва</td><td>Казань</td>" in history
    bad = client.post(f"/clients/{known.id}/edit", data={**data, "kind": "entrepreneur"})
    assert bad.status_code == 422 and "ИНН должен содержать 12 цифр, а не 10" in bad.get_data(as_text=True)
    session.refresh(known)
    assert known.kind == "company" and known.territory == "Казань"


def test_contacts_with_several_phones_and_emails(client, session, demo_users):
    known = make_client(session, demo_users["manager"], "Контакты")
    login(client, "manager")
    token = _token(client, f"/clients/{known.id}/contacts/new")
    response = client.post(f"/clients/{known.id}/contacts", data={
        "csrf_token": token, "full_name": "Орлова Анна", "position": "Финансовый директор",
        "is_decision_maker": "1", "phones": "8 (916) 111-22-33\n+7 916 1112234", "emails": "ANNA@firm.ru"})
    assert response.status_code == 302
    contact = session.scalar(select(Contact).where(Contact.client_id == known.id))
    assert contact.all_phones == ["+79161112233", "+79161112234"] and contact.email == "anna@firm.ru"
    card = client.get(f"/clients/{known.id}").get_data(as_text=True)
    assert "Орлова Анна" in card and "ЛПР" in card
    bad = client.post(f"/clients/{known.id}/contacts/{contact.id}", data={
        "csrf_token": token, "full_name": "", "phones": "+7 916 1112233"})
    assert bad.status_code == 422 and "Укажите ФИО контакта" in bad.get_data(as_text=True)
    assert client.post(f"/clients/{known.id}/contacts/{contact.id}/delete",
                       data={"csrf_token": token}).status_code == 302
    history = client.get(f"/clients/{known.id}").get_data(as_text=True).split('id="history"')[1]
    assert "Контакт «Орлова Анна»: удаление" in history


def test_bulk_update_requires_a_reason_and_records_it(client, session, demo_users):
    manager = demo_users["manager"]
    first, second = make_client(session, manager, "Один"), make_client(session, manager, "Два")
    login(client, "manager")
    token = _token(client)
    data = {"csrf_token": token, "ids": [str(first.id), str(second.id)], "status_new": "inactive",
            "add_tags": "архив, 2026", "reason": ""}
    refused = client.post("/clients/bulk", data=data)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Укажите причину массового изменения" in page and 'value="архив, 2026"' in page
    done = client.post("/clients/bulk", data={**data, "reason": "Закрыты по итогам сверки"})
    assert done.status_code == 302
    for known in (first, second):
        session.refresh(known)
        assert known.status == "inactive" and known.tags == ["архив", "2026"]
    reasons = set(session.scalars(select(AuditLog.reason).where(
        AuditLog.entity_id.in_([str(first.id), str(second.id)]), AuditLog.field == "status",
        AuditLog.action == "update")))
    assert reasons == {"Закрыты по итогам сверки"}
    stranger = make_client(session, demo_users["manager2"], "Чужой")
    denied = client.post("/clients/bulk", data={**data, "ids": [str(first.id), str(stranger.id)],
                                                "reason": "попытка", "status_new": "active"})
    assert denied.status_code == 403
    session.refresh(first)
    assert first.status == "inactive"


def test_export_current_filter_to_csv_and_xlsx(client, session, demo_users):
    manager = demo_users["manager"]
    make_client(session, manager, "Экспорт Москва", territory="Москва", phone="+74951234567")
    make_client(session, manager, "Экспорт Казань", territory="Казань")
    login(client, "manager")
    response = client.get("/clients/export.csv?territory=Москва")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Тип клиента", "Полное наименование", "Краткое наименование", "ИНН"]
    assert [r[2] for r in rows[1:]] == ["ООО «Экспорт Москва»"] and "+74951234567" in rows[1]
    book = load_workbook(io.BytesIO(client.get("/clients/export.xlsx?q=экспорт").get_data()))
    values = [[c.value for c in row] for row in book["Клиенты"].iter_rows()]
    assert {r[2] for r in values[1:]} == {"ООО «Экспорт Москва»", "ООО «Экспорт Казань»"}


def test_merge_and_not_duplicate_through_pages(client, session, demo_users):
    manager = demo_users["manager"]
    keep = make_client(session, manager, "Сливаемая", phone="+74950000011", inn=None, kpp=None, ogrn=None,
                       kind="person", full_name="Сливаемая Фирма", short_name=None)
    dupe = make_client(session, manager, "Сливаемая 2", phone="+74950000011", inn=None, kpp=None,
                       ogrn=None, kind="person", full_name="Сливаемая Фирма Два", short_name=None,
                       territory="Тула", contacts=("Зуев Олег",))
    dupe_id = dupe.id
    login(client, "manager")
    card = client.get(f"/clients/{keep.id}").get_data(as_text=True)
    assert f"/clients/{keep.id}/merge/{dupe_id}" in card
    form = client.get(f"/clients/{keep.id}/merge/{dupe.id}").get_data(as_text=True)
    assert "Тула" in form
    response = client.post(f"/clients/{keep.id}/merge/{dupe.id}", data={
        "csrf_token": csrf_from(form), "pick_territory": "other", "reason": "Одно лицо"})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Client, dupe_id) is None
    merged = session.get(Client, keep.id)
    assert merged.territory == "Тула" and [c.full_name for c in merged.contacts] == ["Зуев Олег"]
    card = client.get(f"/clients/{keep.id}").get_data(as_text=True)
    assert f"объединён клиент #{dupe_id}" in card and "Одно лицо" in card
    third = make_client(session, manager, "Третья", phone="+74950000011", inn=None, kpp=None, ogrn=None,
                        kind="person", full_name="Совсем Третья", short_name=None)
    assert client.post(f"/clients/{keep.id}/not-duplicate/{third.id}",
                       data={"csrf_token": csrf_from(card)}).status_code == 302
    card = client.get(f"/clients/{keep.id}").get_data(as_text=True)
    assert "Совсем Третья" not in card.split('id="duplicates"')[1].split("</ul>")[0]


def test_posts_without_csrf_are_refused(client, session, demo_users):
    known = make_client(session, demo_users["manager"], "Защита")
    login(client, "manager")
    assert client.post("/clients/new", data=company_values()).status_code == 400
    assert client.post(f"/clients/{known.id}/registry").status_code == 400


def test_senior_hands_a_client_over_and_an_empty_owner_keeps_it(client, session, demo_users):
    known = make_client(session, demo_users["manager"], "Передача")
    values = {**company_values("Передача", inn=known.inn, kpp=known.kpp, ogrn=known.ogrn)}
    login(client, "senior")
    token = csrf_from(client.get(f"/clients/{known.id}/edit").get_data(as_text=True))
    response = client.post(f"/clients/{known.id}/edit", data={
        **values, "csrf_token": token, "owner_id": str(demo_users["manager3"].id)})
    assert response.status_code == 302
    session.refresh(known)
    assert known.owner_id == demo_users["manager3"].id
    history = client.get(f"/clients/{known.id}").get_data(as_text=True).split('id="history"')[1]
    change = "<td>Ответственный</td><td>Иван Сергеевич Петров</td><td>Алексей Дмитриевич Соколов</td>"
    assert change in history
    assert client.post(f"/clients/{known.id}/edit", data={**values, "csrf_token": token,
                                                          "owner_id": ""}).status_code == 302
    session.refresh(known)
    assert known.owner_id == demo_users["manager3"].id


def test_phones_are_shown_the_russian_way_and_stored_in_e164(client, session, demo_users):
    known = make_client(session, demo_users["manager"], "Телефоны", phone="+74955005550",
                        extra_phones=["+375291234567"])
    session.add(Contact(client_id=known.id, full_name="Орлова Анна", phone="+79160000001",
                        email="anna@firm.ru"))
    session.commit()
    login(client, "manager")
    card = client.get(f"/clients/{known.id}").get_data(as_text=True)
    assert "+7 (495) 500-55-50, +375 29 123-45-67" in card
    assert "+7 (916) 000-00-01, anna@firm.ru" in card
    listing = client.get("/clients/?q=Телефоны").get_data(as_text=True)
    assert "+7 (495) 500-55-50" in listing
    form = client.get(f"/clients/{known.id}/edit").get_data(as_text=True)
    assert "+74955005550" in form  # the form edits the stored value (pages show it formatted)
    session.expire_all()
    assert session.get(Client, known.id).all_phones == ["+74955005550", "+375291234567"]


def test_a_number_outside_the_numbering_plan_is_refused_on_the_page(client, session, demo_users):
    login(client, "manager")
    token = _token(client, "/clients/new")
    response = client.post("/clients/new", data={**company_values("Фальшивый", phones="+7 000 000-00-00"),
                                                 "csrf_token": token})
    assert response.status_code == 422
    assert "Телефон «+7 000 000-00-00»: такого номера нет в плане нумерации" in response.get_data(
        as_text=True)
    assert session.scalar(select(Client).where(Client.short_name == "ООО «Фальшивый»")) is None
