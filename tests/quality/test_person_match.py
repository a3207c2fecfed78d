"""Person duplicates: the score's reasons, what never reaches a hint, and blocking that survives typos."""

from __future__ import annotations

from datetime import date

import pytest

from bench.person_duplicates import evaluate, generate
from models.quality.person_match import THRESHOLD, Identity, block_keys, name_tokens, passport_hash, score

pytestmark = pytest.mark.nodb


def _p(key, name, born=None, **fields) -> Identity:
    return Identity(key, name_tokens(name), born, **fields)


def test_swapped_names_initials_and_transliteration_with_birth_date_are_a_hint():
    a = _p(1, "Щукин Андрей Петрович", date(1980, 5, 17))
    for other in ("Андрей Петрович Щукин", "Щукин А. П.", "Shchukin Andrey Petrovich", "Schukin Andrej"):
        points, reasons = score(a, _p(2, other, date(1980, 5, 17)))
        assert points >= THRESHOLD, other
        assert "дата рождения совпадает" in reasons
    assert "переставлены" in score(a, _p(2, "Андрей Щукин", date(1980, 5, 17)))[1][0]


def test_a_name_alone_never_makes_a_hint():
    assert score(_p(1, "Иванов Иван Иванович"), _p(2, "Иванов Иван Иванович"))[0] < THRESHOLD
    assert score(_p(1, "Иванов", date(1980, 1, 1)), _p(2, "Иванов", date(1980, 1, 1)))[0] < THRESHOLD
    # namesakes with another birth date are not a hint either
    assert score(_p(1, "Иванов Иван", date(1980, 1, 1)), _p(2, "Иванов Иван", date(1975, 3,
                                                                                   9)))[0] < THRESHOLD


def test_passport_and_phone_without_birth_date():
    secret = "k"
    a = _p(1, "Петрова Ольга", passport=passport_hash(secret, "45 12 345678"))
    b = _p(2, "Петрова Ольга Сергеевна", passport=passport_hash(secret, "4512345678"))
    points, reasons = score(a, b)
    assert points >= THRESHOLD and "паспорт совпадает" in reasons
    assert a.passport and "345678" not in a.passport  # kept as a keyed hash, never in clear


def test_blocking_keeps_pairs_that_differ_in_the_first_letters():
    a = _p(1, "Кузнецов Сергей", date(1975, 2, 3))
    b = _p(2, "Гузнецов Сергей", date(1975, 2, 3))
    c = _p(3, "Сергей Кузнецов")
    assert block_keys(a) & block_keys(b)
    assert block_keys(a) & block_keys(c)


def test_synthetic_set_reaches_the_targets():
    identities, entity = generate(400, seed=3)
    figures = evaluate(identities, entity)
    assert figures["precision"] >= 0.95 and figures["recall"] >= 0.9
