"""One search box finds clients by INN, OGRN, phone in any spelling, e-mail or a name fragment."""

from datetime import UTC, date, datetime, timedelta

import pytest

from models.clients import search as client_search
from models.clients.cards import Client, Contact
from models.clients.search import ClientFilter, search_page
from models.platform.audit import acting_as
from tests.clients.conftest import make_client
from tests.statements import recorded


def _find(session, user, q="", **filters):
    flt = ClientFilter.from_args({"q": q, "limit": "100", **filters})
    return {c.display_name for c in search_page(session, user, flt).items}


@pytest.fixture
def base(session, demo_users):
    manager, other = demo_users["manager"], demo_users["manager2"]
    romashka = make_client(session, manager, "Ромашка-Плюс", inn="7707083893", kpp="773601001",
                           ogrn="1027700132195", phone="+74951234567", email="info@romashka.ru",
                           extra_phones=["+79160000001"], territory="Москва", industry="ИТ")
    yolka = make_client(session, manager, "Ёлочка", territory="Казань", industry="Торговля",
                        status="prospect")
    make_client(session, other, "Чужая Ромашка", territory="Москва")
    with acting_as(manager.id):
        yolka.contacts.append(Contact(full_name="Сидоров Пётр", phone="+79031112233",
                                      email="sidorov@elka.ru", extra_emails=["petr@mail.ru"]))
        session.commit()
    return {"manager": manager, "other": other, "romashka": romashka, "yolka": yolka}


def test_search_by_inn_ogrn_phone_and_email(session, base):
    admin = base["manager"]
    assert _find(session, admin, "7707083893") == {"ООО «Ромашка-Плюс»"}
    assert _find(session, admin, "1027700132195") == {"ООО «Ромашка-Плюс»"}
    for spelling in ("8 (495) 123-45-67", "+7 495 1234567", "84951234567", "495 123 45 67",
                     "+7 (916) 000-00-01"):
        assert _find(session, admin, spelling) == {"ООО «Ромашка-Плюс»"}, spelling
    assert _find(session, admin, "INFO@Romashka.ru") == {"ООО «Ромашка-Плюс»"}


def test_search_finds_clients_through_their_contacts(session, base):
    user = base["manager"]
    assert _find(session, user, "8 903 111 22 33") == {"ООО «Ёлочка»"}
    assert _find(session, user, "Petr@Mail.ru") == {"ООО «Ёлочка»"}
    assert _find(session, user, "сидоров") == {"ООО «Ёлочка»"}
    assert _find(session, user, "Петр Сидор") == {"ООО «Ёлочка»"}


@pytest.mark.parametrize("broad", [False, True])
def test_name_fragment_ignores_case_yo_forms_and_quotes(session, base, monkeypatch, broad):
    if broad:  # the SQLite strategy for fragments matching many names
        monkeypatch.setattr(client_search, "BROAD_MATCHES", 1)
    user = base["manager"]
    assert _find(session, user, "ромаш") == {"ООО «Ромашка-Плюс»"}
    assert _find(session, user, "МАШКА") == {"ООО «Ромашка-Плюс»"}  # middle of a word
    assert _find(session, user, 'ООО "Ромашка плюс"') == {"ООО «Ромашка-Плюс»"}
    assert _find(session, user, "елочка") == {"ООО «Ёлочка»"}
    assert _find(session, user, "ёлоч") == {"ООО «Ёлочка»"}
    assert _find(session, user, "ромашка минус") == set()
    assert _find(session, user, "zzz") == set()


def test_manager_finds_only_own_clients(session, base, demo_users):
    assert _find(session, base["manager"], "ромашка") == {"ООО «Ромашка-Плюс»"}
    assert _find(session, base["other"], "ромашка") == {"ООО «Чужая Ромашка»"}
    assert _find(session, demo_users["senior"], "ромашка") == {"ООО «Ромашка-Плюс»", "ООО «Чужая Ромашка»"}
    assert _find(session, base["other"], "7707083893") == set()


def test_filters(session, base, demo_users):
    head = demo_users["head"]
    assert _find(session, head, territory="Москва") == {"ООО «Ромашка-Плюс»", "ООО «Чужая Ромашка»"}
    assert _find(session, head, status="prospect") == {"ООО «Ёлочка»"}
    assert _find(session, head, industry="ИТ", kind="company") == {"ООО «Ромашка-Плюс»"}
    assert _find(session, head, owner_id=str(base["other"].id)) == {"ООО «Чужая Ромашка»"}
    assert _find(session, head, kind="person") == set()
    base["yolka"].created_at = datetime(2025, 3, 1, 12, tzinfo=UTC)
    session.commit()
    assert _find(session, head, created_to="2025-03-01") == {"ООО «Ёлочка»"}
    today = date.today()
    assert "ООО «Ёлочка»" not in _find(session, head, created_from=str(today - timedelta(days=1)))


def test_bad_filter_values_are_reported_not_used():
    flt = ClientFilter.from_args({"kind": "alien", "created_from": "31.12.2025", "owner_id": "x",
                                  "sort": "drop table", "limit": "100000"})
    assert flt.errors == {"kind": "Неизвестный тип клиента", "owner_id": "Ответственный указан неверно",
                          "created_from": "Дата в формате ГГГГ-ММ-ДД"}
    assert flt.kind is None and flt.sort == "name" and flt.limit == client_search.MAX_LIMIT


@pytest.mark.parametrize("sort", ["name", "-name", "created", "-created"])
def test_keyset_pages_cover_everything_once_in_order(session, demo_users, sort):
    owner = demo_users["manager"]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with acting_as(owner.id):
        for i in range(23):
            session.add(Client(kind="person", full_name=f"Клиент {i % 7:02d}", phone=f"+7900000{i:04d}",
                               owner=owner, created_at=start + timedelta(hours=i % 5)))
        session.commit()
    seen, cursor = [], None
    for _ in range(10):
        flt = ClientFilter.from_args({"sort": sort, "limit": "5", "cursor": cursor or ""})
        page = search_page(session, owner, flt)
        seen += page.items
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == 23 and len({c.id for c in seen}) == 23
    column, descending = client_search.SORTS[sort]
    keys = [(getattr(c, column.key), c.id) for c in seen]
    assert keys == sorted(keys, reverse=descending)


def test_broken_cursor_starts_from_the_beginning(session, base):
    flt = ClientFilter.from_args({"cursor": "not-a-cursor"})
    assert len(search_page(session, base["manager"], flt).items) == 2


def test_a_broad_word_is_counted_no_further_than_the_rarest_word_so_far(session, demo_users, engine,
                                                                         monkeypatch):
    """SQLite: which word's tokens to look the candidates up by is decided by capped counts; the
    word with a number is counted first, and the broad words only as far as its count."""
    monkeypatch.setattr(client_search, "BROAD_MATCHES", 5)
    manager = demo_users["manager"]
    for n in range(8):
        make_client(session, manager, f"Альфа Мегаполис {7100 + n}")

    def count_limit(statement, parameters, context):
        if "client_name_token" in statement and "count(" in statement:
            return list(parameters.values() if isinstance(parameters, dict) else parameters)[-2]
        return None

    with recorded(engine, count_limit) as limits:
        found = _find(session, manager, "Альфа Мегаполис 7103")
        nothing = _find(session, manager, "Альфа Мегаполис 9999")
    assert found == {"ООО «Альфа Мегаполис 7103»"}
    assert nothing == set()
    if client_search.uses_name_tokens(session):
        # «7103»: one client, counted to the cap (5); «мегаполис», «альфа»: one entry each, no further.
        # «9999»: nobody — the other words are not counted at all.
        assert limits == [5, 1, 1, 5], limits
    else:
        assert limits == []  # PostgreSQL: name fragments through pg_trgm, nothing counted
