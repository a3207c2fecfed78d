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
