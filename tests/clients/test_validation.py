"""Card rules per kind of client, with Russian messages; the same rules for every entry point."""

import random

from models.clients.requisites import make_inn10, make_inn12, make_ogrn, make_ogrnip
from models.clients.validation import clean_client, clean_contact
from tests.clients.conftest import company_values, entrepreneur_values

SBER = {"inn": "7707083893", "kpp": "773601001", "ogrn": "1027700132195"}


def test_valid_company_is_normalised():
    values, errors = clean_client(company_values(
        "Ромашка", inn=" 7707 083893 ", kpp="773601001", ogrn="1027700132195",
        phones="8 (495) 123-45-67\n+7 916 000 00 01\n8 495 123 45 67", emails="Info@Romashka.ru",
        tags="vip, опт, vip"))
    assert errors == {}
    assert values["inn"] == "7707083893"
    assert values["phone"] == "+74951234567" and values["extra_phones"] == ["+79160000001"]
    assert values["email"] == "info@romashka.ru" and values["extra_emails"] is None
    assert values["tags"] == ["vip", "опт"]


def test_company_requires_names_inn_kpp_ogrn():
    _, errors = clean_client({"kind": "company"})
    assert errors == {"full_name": "Укажите полное наименование",
                      "short_name": "Укажите краткое наименование", "inn": "ИНН не указан",
                      "kpp": "КПП не указан", "ogrn": "ОГРН не указан"}


def test_invalid_checksums_are_refused_with_the_reason():
    digits = list(SBER["inn"])
    digits[3] = str((int(digits[3]) + 1) % 10)
    _, errors = clean_client(company_values(inn="".join(digits), kpp=SBER["kpp"], ogrn="1027700132196"))
    assert errors["inn"] == "Неверная контрольная цифра ИНН"
    assert errors["ogrn"] == "Неверная контрольная цифра ОГРН"
    _, errors = clean_client(company_values(inn=make_inn12(random.Random(1)), kpp="77360100"))
    assert errors["inn"] == "ИНН должен содержать 10 цифр, а не 12"
    assert errors["kpp"] == "КПП должен содержать 9 символов, а не 8"


def test_entrepreneur_rules():
    assert clean_client(entrepreneur_values())[1] == {}
    rng = random.Random(3)
    ogrnip = make_ogrnip(rng)
    _, errors = clean_client(entrepreneur_values(inn=make_inn10(rng), ogrn=ogrnip[:-1] + str(
        (int(ogrnip[-1]) + 1) % 10), kpp="773601001"))
    assert errors == {"inn": "ИНН должен содержать 12 цифр, а не 10",
                      "ogrn": "Неверная контрольная цифра ОГРНИП",
                      "kpp": "У индивидуального предпринимателя нет КПП"}


def test_person_needs_a_phone_or_an_email():
    _, errors = clean_client({"kind": "person", "full_name": "Петров Пётр"})
    assert errors == {"phones": "Укажите телефон или e-mail — или дату рождения, паспорт, адрес"}
    assert clean_client({"kind": "person", "full_name": "Петров Пётр", "emails": "p@mail.ru"})[1] == {}
    _, errors = clean_client({"kind": "person", "full_name": "Петров", "phones": "звоните"})
    assert errors["phones"].startswith("Телефон «звоните» не похож на номер")


def test_state_body_needs_name_and_inn():
    assert clean_client({"kind": "state", "full_name": "Минтранс МО"})[1] == {"inn": "ИНН не указан"}
    rng = random.Random(5)
    values, errors = clean_client({"kind": "state", "full_name": "Минтранс МО", "inn": make_inn10(rng),
                                   "ogrn": make_ogrn(rng)})
    assert errors == {} and values["kpp"] is None


def test_unknown_kind_status_and_too_long_values():
    _, errors = clean_client({"kind": "alien", "full_name": "X"})
    assert errors["kind"].startswith("Выберите тип клиента")
    _, errors = clean_client(company_values(status="frozen", industry="x" * 101))
    assert errors["status"] == "Неизвестный статус клиента"
    assert errors["industry"] == "Отрасль: не длиннее 100 символов"


def test_contact_rules():
    values, errors = clean_contact({"full_name": " Иванов  Иван ", "is_decision_maker": "on",
                                    "phones": "8 916 123 45 67\n+7 (916) 123-45-68",
                                    "emails": "IVANOV@firm.ru"})
    assert errors == {}
    assert values["full_name"] == "Иванов Иван" and values["is_decision_maker"] is True
    assert values["phone"] == "+79161234567" and values["extra_phones"] == ["+79161234568"]
    assert clean_contact({"full_name": ""})[1] == {"full_name": "Укажите ФИО контакта"}
