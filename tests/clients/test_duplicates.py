"""Likely duplicates by INN+KPP, phone, e-mail and similar name; «не дубликат» is remembered."""

from models.clients import duplicates
from models.clients.duplicates import Probe, duplicates_of, find_duplicates, mark_not_duplicate, name_score
from tests.clients.conftest import make_client


def _reasons(matches):
    return {m.client.id: m.reasons for m in matches}


def test_same_inn_and_kpp_is_a_duplicate_a_branch_is_not(session, demo_users):
    owner = demo_users["manager"]
    head_office = make_client(session, owner, "Альфа", inn="7707083893", kpp="773601001")
    branch = make_client(session, owner, "Альфа филиал", inn="7707083893", kpp="780201001")
    probe = Probe.from_values({"inn": "7707083893", "kpp": "773601001", "full_name": "Нечто иное"})
    assert _reasons(find_duplicates(session, probe)) == {head_office.id: ["Совпадают ИНН и КПП"]}
    without_kpp = Probe.from_values({"inn": "7707083893", "full_name": "Нечто иное"})
    assert set(_reasons(find_duplicates(session, without_kpp))) == {head_office.id, branch.id}


def test_same_phone_or_email_in_any_spelling(session, demo_users):
    owner = demo_users["manager"]
    client = make_client(session, owner, "Бета", phone="+74951234567", email="office@beta.ru")
    matches = find_duplicates(session, Probe.from_values(
        {"full_name": "Совсем другое", "phones": "8 (495) 123-45-67", "emails": "OFFICE@beta.ru"}))
    assert _reasons(matches) == {client.id: ["Совпадает телефон +7 (495) 123-45-67",
                                             "Совпадает e-mail office@beta.ru"]}
    assert matches[0].score == 100


def test_similar_names_with_a_score(session, demo_users):
    owner = demo_users["manager"]
    client = make_client(session, owner, "Стройинвест Групп")
    make_client(session, owner, "Агрохолдинг Восток")
    matches = find_duplicates(session, Probe.from_values({"full_name": 'ООО "СтройИнвест-Груп"'}))
    assert [m.client.id for m in matches] == [client.id]
    assert matches[0].reasons[0].startswith("Похожее наименование (")
    assert 88 <= matches[0].score < 100
    assert name_score("стройинвест групп", "агрохолдинг восток") < 50


def test_different_inns_are_different_entities_even_with_the_same_name(session, demo_users):
    owner = demo_users["manager"]
    make_client(session, owner, "Гамма", inn="7707083893", kpp="773601001")
    probe = Probe.from_values({"full_name": "ООО Гамма", "inn": "7736050003", "kpp": "773601001"})
    assert find_duplicates(session, probe) == []


def test_not_a_duplicate_is_not_suggested_again(session, demo_users):
    owner = demo_users["manager"]
    no_requisites = {"inn": None, "kpp": None, "ogrn": None}
    first = make_client(session, owner, "Дельта", phone="+74950000001", **no_requisites)
    second = make_client(session, owner, "Дельта Плюс", phone="+74950000001", **no_requisites)
    assert [m.client.id for m in duplicates_of(session, first)] == [second.id]
    mark_not_duplicate(session, owner, second, first)
    mark_not_duplicate(session, owner, first, second)  # twice is harmless
    session.commit()
    assert duplicates_of(session, first) == []
    assert duplicates_of(session, second) == []


def test_a_duplicate_behind_a_common_word_is_found_through_its_rarer_stem(session, demo_users, monkeypatch):
    """SQLite walks the clients holding both stems from the rarer stem's tokens, so a common first
    word («Стройинвест» of many clients) neither costs the walk of all of them nor hides the card
    past the walk's cap (three candidates here, a walk of 30 tokens)."""
    monkeypatch.setattr(duplicates, "CANDIDATES", 3)
    owner = demo_users["manager"]
    for n in range(40):
        make_client(session, owner, f"Стройинвест Север {n}")
    twin = make_client(session, owner, "Стройинвест Север 7712345")
    matches = find_duplicates(session, Probe.from_values({"full_name": "ООО «Стройинвест Север 7712345»"}))
    assert twin.id in {m.client.id for m in matches}
