"""Requisite checks against real public numbers and single-digit corruptions."""

import random

import pytest

from models.clients import requisites as r

# ПАО Сбербанк: ИНН, ОГРН, КПП, БИК, корр. счёт — public requisites.
SBER = {"inn": "7707083893", "ogrn": "1027700132195", "kpp": "773601001",
        "bic": "044525225", "corr": "30101810400000000225"}


def test_real_requisites_are_valid():
    assert r.inn_error(SBER["inn"]) is None
    assert r.inn_error("7736050003") is None  # ПАО «Газпром»
    assert r.ogrn_error(SBER["ogrn"]) is None
    assert r.kpp_error(SBER["kpp"]) is None
    assert r.bic_error(SBER["bic"]) is None
    assert r.correspondent_account_error(SBER["corr"], SBER["bic"]) is None


def test_settlement_account_has_exactly_one_valid_control_digit():
    # The 9th digit of an account is its control key: exactly one value makes it valid.
    candidates = [f"40702810{d}38000000001" for d in range(10)]
    valid = [a for a in candidates if r.settlement_account_error(a, SBER["bic"]) is None]
    assert len(valid) == 1
    wrong = [a for a in candidates if a not in valid]
    assert r.settlement_account_error(wrong[0], SBER["bic"]) == (
        "Неверный контрольный ключ расчётного счёта для указанного БИК"
    )


@pytest.mark.parametrize("position", range(10))
def test_inn10_one_digit_changed_is_rejected(position):
    digits = list(SBER["inn"])
    digits[position] = str((int(digits[position]) + 1) % 10)
    assert r.inn_error("".join(digits)) == "Неверная контрольная цифра ИНН"


@pytest.mark.parametrize("position", range(13))
def test_ogrn_one_digit_changed_is_rejected(position):
    digits = list(SBER["ogrn"])
    digits[position] = str((int(digits[position]) + 3) % 10)
    assert r.ogrn_error("".join(digits)) == "Неверная контрольная цифра ОГРН"


def test_inn12_and_ogrnip_generated_valid_and_corrupted_invalid():
    rng = random.Random(1)
    for _ in range(50):
        inn = r.make_inn12(rng)
        assert r.inn_error(inn, length=12) is None
        bad = inn[:-1] + str((int(inn[-1]) + 1) % 10)
        assert r.inn_error(bad) == "Неверная контрольная цифра ИНН"
        ogrnip = r.make_ogrnip(rng)
        assert r.ogrnip_error(ogrnip) is None
        assert r.ogrnip_error(ogrnip[:-1] + str((int(ogrnip[-1]) + 1) % 10)) is not None


def test_format_messages_are_russian_and_specific():
    assert r.inn_error("") == "ИНН не указан"
    assert r.inn_error("77070838AB") == "ИНН должен состоять только из цифр"
    assert r.inn_error("123") == "ИНН должен содержать 10 или 12 цифр, а не 3"
    assert r.inn_error(SBER["inn"], length=12) == "ИНН должен содержать 12 цифр, а не 10"
    assert "9 символов" in r.kpp_error("77360100")
    assert r.kpp_error("7736AB001") is None
    assert "Неверный формат КПП" in r.kpp_error("77360100Z")
    assert r.bic_error("144525225") == "БИК российского банка начинается с 04"


def test_correspondent_account_key_detects_corruption():
    bad = SBER["corr"][:-1] + "6"
    assert "контрольный ключ" in r.correspondent_account_error(bad, SBER["bic"])


# --- INN and OGRN through python-stdnum: same answers, same Russian messages -------------


@pytest.mark.parametrize("inn", ["7707083893", "7736050003", "1234567894", "123456789047"])
def test_stdnum_accepts_valid_inns(inn):
    assert r.inn_error(inn) is None


@pytest.mark.parametrize(("value", "message"), [
    ("7707083894", "Неверная контрольная цифра ИНН"),
    ("123456789037", "Неверная контрольная цифра ИНН"),
    ("77070838930", "ИНН должен содержать 10 или 12 цифр, а не 11"),
    ("７７０７０８３８９３", "ИНН должен состоять только из цифр"),  # full-width: was accepted as is
])
def test_inn_errors_keep_their_messages(value, message):
    assert r.inn_error(value) == message


@pytest.mark.parametrize(("value", "message"), [
    ("1027700132195", None),
    ("1022200525819", None),
    ("1027700132196", "Неверная контрольная цифра ОГРН"),
    ("102770013219", "ОГРН должен содержать 13 цифр, а не 12"),
    ("", "ОГРН не указан"),
    ("0027700132196", "ОГРН не может начинаться с 0"),  # check digit right, no such record type
])
def test_ogrn_through_stdnum(value, message):
    assert r.ogrn_error(value) == message


def test_ogrnip_check_digit_is_the_last_digit_of_the_remainder():
    # Remainder 10 modulo 13: the control digit is 0. stdnum 2.2 refuses such numbers, so the
    # OGRNIP check stays ours.
    assert int("31577815659387") % 13 == 10
    assert r.ogrnip_error("315778156593870") is None
    assert r.ogrnip_error("315778156593871") == "Неверная контрольная цифра ОГРНИП"
    assert r.ogrnip_error("31577815659387") == "ОГРНИП должен содержать 15 цифр, а не 14"


def test_digits_other_than_ascii_get_a_message_not_an_exception():
    # «²» passes str.isdigit() but not int(): a BIC with it was accepted, an account or an
    # OGRNIP with it raised ValueError (a server error on the page).
    assert r.bic_error("04452522²") == "БИК должен состоять только из цифр"
    assert r.settlement_account_error("4070281043800000000²", SBER["bic"]) == (
        "Расчётный счёт должен состоять только из цифр")
    assert r.ogrnip_error("31577815659387²") == "ОГРНИП должен состоять только из цифр"


def test_inn_and_ogrn_checks_agree_with_stdnum_on_many_numbers():
    """The check digits are computed in plain arithmetic for speed; stdnum is the reference."""
    from stdnum.exceptions import InvalidChecksum, InvalidComponent
    from stdnum.ru import inn as stdnum_inn
    from stdnum.ru import ogrn as stdnum_ogrn

    def stdnum_says(module, value, name):
        try:
            module.validate(value)
        except InvalidChecksum:
            return f"Неверная контрольная цифра {name}"
        except InvalidComponent:
            return f"{name} не может начинаться с {value[0]}"
        return None

    rng = random.Random(15)
    valid = 0
    for _ in range(20000):
        inn10 = rng.choice((r.make_inn10(rng), str(rng.randrange(10 ** 10)).zfill(10)))
        inn12 = rng.choice((r.make_inn12(rng), str(rng.randrange(10 ** 12)).zfill(12)))
        ogrn = rng.choice((r.make_ogrn(rng), str(rng.randrange(10 ** 13)).zfill(13)))
        assert r.inn_error(inn10) == stdnum_says(stdnum_inn, inn10, "ИНН"), inn10
        assert r.inn_error(inn12) == stdnum_says(stdnum_inn, inn12, "ИНН"), inn12
        assert r.ogrn_error(ogrn) == stdnum_says(stdnum_ogrn, ogrn, "ОГРН"), ogrn
        valid += r.inn_error(inn10) is None
    assert 9000 < valid < 12000
