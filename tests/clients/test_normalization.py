"""Phones, e-mails and names are stored in one canonical form, whatever the spelling."""

import pytest

from models.clients.imports.files import propose_mapping
from models.clients.names import name_suffixes, name_words, query_words, search_name, short_form
from models.clients.phones import email_error, normalize_email, normalize_phone, phone_error, split_values


@pytest.mark.parametrize("raw", [
    "8 (495) 123-45-67", "+7 495 1234567", "+7(495)123-45-67", "84951234567", "74951234567",
    "495 123 45 67", "(495) 123-4567", "8-495-123-45-67 доб. 123", " +7 495 123 45 67 ",
])
def test_russian_numbers_in_any_spelling_become_plus7(raw):
    assert normalize_phone(raw) == "+74951234567"


def test_mobile_foreign_and_invalid_phones():
    assert normalize_phone("8 916 000-00-01") == "+79160000001"
    assert normalize_phone("+375 29 123-45-67") == "+375291234567"
    for bad in ("", "123", "8 495 12", "звоните в офис", "+7 495 12", "12345678901234567"):
        assert normalize_phone(bad) is None, bad
    assert phone_error("123") == (
        "Телефон «123» не похож на номер: ожидается, например, +7 495 123-45-67")
    assert phone_error("8 (495) 123-45-67") is None


def test_emails_are_lower_cased_and_checked():
    assert normalize_email("  Info@Romashka.RU ") == "info@romashka.ru"
    assert normalize_email("<sales@firm.ru>") == "sales@firm.ru"
    for bad in ("info", "info@", "@firm.ru", "a b@firm.ru", "info@firm"):
        assert normalize_email(bad) is None, bad
    assert "указан неверно" in email_error("info@")
    assert split_values("a@b.ru; c@d.ru\n+7 495 1234567,") == ["a@b.ru", "c@d.ru", "+7 495 1234567"]


def test_search_name_ignores_case_yo_legal_forms_and_quotes():
    assert search_name('ООО "Ромашка"') == "ромашка"
    assert search_name("Общество с ограниченной ответственностью «РОМАШКА»", "ООО «Ромашка»") == "ромашка"
    assert search_name("ПАО «Сбербанк России»") == "сбербанк россии"
    assert search_name("АО «Ёлки-Палки»") == "елки палки"
    assert search_name("ИП Фёдоров Пётр") == "федоров петр"
    assert name_words("ЗАО Альфа & Омега") == ["альфа", "омега"]
    assert query_words("ООО «Ёлк") == ["елк"]
    assert query_words("а б") == ["а", "б"]  # nothing long enough: keep what was typed


def test_suffixes_turn_contains_into_prefix():
    suffixes = name_suffixes("ромашка плюс")
    assert {"ромашка", "машка", "ка", "плюс", "юс"} <= suffixes
    assert all(len(s) >= 2 for s in suffixes)


def test_short_form_from_full_name():
    assert short_form("Общество с ограниченной ответственностью «Ромашка»") == "ООО «Ромашка»"
    assert short_form("Публичное акционерное общество «Вектор»") == "ПАО «Вектор»"
    assert short_form("Завод «Прогресс»") == "Завод «Прогресс»"


def test_header_mapping_from_russian_and_english_headers():
    headers = ["Наименование", "ИНН", "КПП", "ОГРН", "Телефон", "Телефон 2", "E-mail",
               "Контактное лицо", "Должность", "Что-то своё", "Company", "Эл. почта"]
    mapping = propose_mapping(headers)
    assert mapping == {0: "full_name", 1: "inn", 2: "kpp", 3: "ogrn", 4: "phones", 5: "phones",
                       6: "emails", 7: "contact_name", 8: "contact_position", 11: "emails"}
    english = propose_mapping(["Name", "INN", "Phone", "Email", "Region", "Owner"])
    assert english == {0: "full_name", 1: "inn", 2: "phones", 3: "emails", 4: "territory", 5: "owner"}
