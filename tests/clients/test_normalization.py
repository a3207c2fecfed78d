"""Phones, e-mails and names are stored in one canonical form, whatever the spelling."""

import pytest

from models.clients.imports.files import propose_mapping
from models.clients.names import name_suffixes, name_words, query_words, search_name, short_form
from models.clients.phones import (
    display_phone,
    email_error,
    normalize_email,
    normalize_phone,
    phone_error,
    split_values,
)


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


@pytest.mark.parametrize(("raw", "stored"), [
    ("8 10 375 29 123-45-67", "+375291234567"),  # dialled abroad from Russia (prefix 810)
    ("8 (495) 123–45–67", "+74951234567"),  # en dashes pasted from a document
    ("8\u00a0495\u00a0123\u201145\u201167", "+74951234567"),  # no-break spaces and hyphens
    ("８ (４９５) １２３-４５-６７", "+74951234567"),  # full-width digits: ASCII when stored
    ("+7 8 495 123 45 67", "+74951234567"),  # +7 and the national prefix 8 together
    ("+7 701 123 45 67", "+77011234567"),  # Kazakhstan shares +7
    ("+44 20 7946 0958", "+442079460958"),
    ("8-495-123-45-67 добавочный 12", "+74951234567"),  # the extension is dropped, as before
    ("+7 916 000-00-01 x12", "+79160000001"),
])
def test_libphonenumber_reads_what_the_regex_missed(raw, stored):
    assert normalize_phone(raw) == stored
    assert phone_error(raw) is None


def test_numbers_outside_any_numbering_plan_are_refused():
    # The regex took any ten digits after +7 and any 8–15 digits after +.
    for fake in ("+7 000 000-00-00", "+7 111 111 11 11", "8 (000) 123-45-67", "+999 12345678",
                 "+1 234 5678", "123 45 67"):
        assert normalize_phone(fake) is None, fake
    assert phone_error("+7 000 000-00-00") == (
        "Телефон «+7 000 000-00-00»: такого номера нет в плане нумерации, проверьте код города "
        "или оператора (например, +7 495 123-45-67)")
    assert phone_error("+999 12345678") == (
        "Телефон «+999 12345678» не похож на номер: ожидается, например, +7 495 123-45-67")


@pytest.mark.parametrize(("stored", "shown"), [
    ("+74955005550", "+7 (495) 500-55-50"),
    ("+79160000001", "+7 (916) 000-00-01"),
    ("+78005553535", "+7 (800) 555-35-35"),
    ("+77011234567", "+7 (701) 123 4567"),
    ("+375291234567", "+375 29 123-45-67"),
    ("+442079460958", "+44 20 7946 0958"),
    ("+70000000000", "+70000000000"),  # stored before numbers were validated: shown as is
    ("8 (495) 500-55-50", "+7 (495) 500-55-50"),  # typed before numbers were stored as E.164
    ("+79991234567", "+7 (999) 123-45-67"),  # mobile
    ("+380441234567", "+380 44 123 4567"),  # foreign: the international layout, readable
    ("+12025550123", "+1 202-555-0123"),
    ("900", "900"),  # short numbers (a bank, emergency) as stored
    ("112", "112"),
    (None, ""),
    ("", ""),
])
def test_display_is_the_russian_layout(stored, shown):
    assert display_phone(stored) == shown


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


def test_the_russian_shortcut_reads_numbers_as_libphonenumber_does():
    """Plain Russian spellings skip ``phonenumbers.parse``; the result must be the same as through it."""
    import random

    import phonenumbers

    from models.clients.phones import _parse, _russian_shortcut

    def slow(raw):
        number = _parse(raw)
        if number is None or not phonenumbers.is_valid_number(number):
            return None
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    rng = random.Random(15)
    shapes = ("+7 {a} {b}-{c}-{d}", "8 ({a}) {b}-{c}{d}", "{a}{b}{c}{d}", "8{a}{b}{c}{d}",
              "+7{a}{b}{c}{d}", "7{a}{b}{c}{d}", "8-{a}-{b}-{c}-{d}", "({a}) {b} {c} {d}",
              "8 {a} {b}{c}{d}", " +7({a}){b}{c}{d} ", "+7 {a} {b}-{c}-{d}0", "8 10 {a} {b}{c}{d}",
              "+8 {a} {b}{c}{d}", "+78 {a} {b}{c}{d}", "810{b}{c}{d}", "8 (810) {b}-{c}-{d}")
    taken = 0
    for _ in range(6000):
        digits = str(rng.randrange(10 ** 10)).zfill(10)
        raw = rng.choice(shapes).format(a=digits[:3], b=digits[3:6], c=digits[6:8], d=digits[8:])
        shortcut = _russian_shortcut(raw)
        taken += shortcut is not None
        assert normalize_phone(raw) == slow(raw), raw
        if shortcut is not None:
            assert shortcut == _parse(raw), raw
    assert taken > 1000


def test_the_precompiled_validity_of_plus7_numbers_is_libphonenumbers():
    """``_valid_plus7`` joins libphonenumber's patterns; it must say what ``is_valid_number`` says."""
    import random

    import phonenumbers

    from models.clients.phones import _valid_plus7

    rng = random.Random(15)
    numbers = [f"{prefix:04d}{rng.randrange(10 ** 6):06d}" for prefix in range(10000) for _ in range(3)]
    numbers += [str(rng.randrange(10 ** 10)).zfill(10) for _ in range(20000)]
    valid = 0
    for national in numbers:
        expected = phonenumbers.is_valid_number(phonenumbers.PhoneNumber(country_code=7,
                                                                         national_number=int(national)))
        if national[0] != "0":  # a leading zero is not a ten-digit national number
            assert _valid_plus7(national) == expected, national
            valid += expected
    assert valid > 5000
