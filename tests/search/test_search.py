"""Full-text search: Russian morphology on both databases, filters, snippets, rights, the index in step."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models.clients.cards import Client
from models.sales.activities import log_activity
from models.search.service import SearchError, search
from models.search.texts import SearchText
from models.tasks.comments import add_comment
from tests.conftest import login


@pytest.fixture
def people(session, demo_users, clock):
    def client(owner: str, name: str) -> Client:
        row = Client(kind="company", full_name=name, owner=demo_users[owner])
        session.add(row)
        session.flush()
        return row

    mine = client("manager", "ООО «Ромашка»")
    theirs = client("manager2", "ООО «Лютик»")
    add_comment(session, "client", mine.id, demo_users["manager"],
                "Возражения: клиент считает, что дорого. Ответили сравнением покрытия.", clock.now())
    add_comment(session, "client", theirs.id, demo_users["manager2"],
                "Тоже возражение: дорого, но согласились на рассрочку.", clock.now())
    add_comment(session, "client", mine.id, demo_users["manager"], "Созвонились, всё хорошо.", clock.now())
    session.commit()
    return {"mine": mine, "theirs": theirs, **demo_users}


def test_objection_found_by_morphology_and_never_a_forbidden_record(session, people):
    page = search(session, people["manager"], {"q": "возражение дорого"})
    assert [h.text for h in page.hits] == [
        "Возражения: клиент считает, что дорого. Ответили сравнением покрытия."]
    hit = page.hits[0]
    assert "<mark>Возражения</mark>" in str(hit.snippet) and "<mark>дорого</mark>" in str(hit.snippet)
    assert hit.client == "Клиент: ООО «Ромашка»" or "Ромашка" in (hit.client or "")
    # manager2's client is not the manager's: its comment never shows, whatever the query
    for q in ("дорого", "рассрочку", "возражение"):
        texts = [h.text for h in search(session, people["manager"], {"q": q}).hits]
        assert all("рассрочку" not in t for t in texts)
    # the head sees both
    assert len(search(session, people["head"], {"q": "возражение дорого"}).hits) == 2


def test_rights_are_rechecked_on_the_record_when_the_prefilter_would_let_it_through(session, people):
    """The manager wrote on a client that is no longer theirs: the author filter lets it in, the rule not."""
    add_comment(session, "client", people["theirs"].id, people["manager"], "Возражение: дорого, ушли думать",
                session.get(Client, people["theirs"].id).created_at)
    session.commit()
    texts = [h.text for h in search(session, people["manager"], {"q": "дорого"}).hits]
    assert texts == ["Возражения: клиент считает, что дорого. Ответили сравнением покрытия."]


def test_index_follows_changes_and_deletes(session, people, clock):
    client = session.get(Client, people["mine"].id)
    client.notes = "Клиент просит страховать склады в Подмосковье"
    log_activity(session, kind="call", subject="Звонок по складам",
                 outcome="Обсудили страховую сумму складов",
                 happened_at=None, now=clock.now(), user_id=people["manager"].id, client_id=client.id)
    session.commit()
    kinds = {h.kind for h in search(session, people["manager"], {"q": "склад"}).hits}
    assert kinds == {"client_note", "activity"}
    client.notes = "Больше ничего"
    session.commit()
    assert {h.kind for h in search(session, people["manager"], {"q": "склады"}).hits} == {"activity"}
    assert {h.kind for h in search(session, people["manager"], {"q": "склады", "kind": "activity"}).hits} \
        == {"activity"}
    notes = select(func.count()).select_from(SearchText).where(SearchText.source == "client_note")
    assert session.scalar(notes) == 1


def test_filters_period_and_paging(session, people, clock):
    for n in range(5):
        clock.advance(timedelta(days=1))
        add_comment(session, "client", people["mine"].id, people["manager"],
                    f"Тариф номер {n} слишком дорогой", clock.now())
    session.commit()
    first = search(session, people["manager"], {"q": "тарифы", "limit": "2"})
    assert [h.text for h in first.hits] == ["Тариф номер 4 слишком дорогой", "Тариф номер 3 слишком дорогой"]
    after = str(first.next_cursor)
    second = search(session, people["manager"], {"q": "тарифы", "limit": "2", "after": after})
    assert [h.text for h in second.hits] == ["Тариф номер 2 слишком дорогой", "Тариф номер 1 слишком дорогой"]
    today = clock.now().date().isoformat()
    assert len(search(session, people["manager"], {"q": "тариф", "from": today, "to": today}).hits) == 1


@pytest.mark.parametrize("args, field", [
    ({"q": ""}, "q"), ({"q": "и в на"}, "q"), ({"q": "дорого", "kind": "nope"}, "kind"),
    ({"q": "дорого", "from": "31.12.2026"}, "from"), ({"q": "дорого", "limit": "1000"}, "limit"),
    ({"q": "дорого", "client": "abc"}, "client"),
])
def test_bad_input_is_refused_in_russian(session, people, args, field):
    with pytest.raises(SearchError) as refused:
        search(session, people["manager"], args)
    assert field in refused.value.fields


def test_api_and_page(client, people):
    login(client, "manager")
    answer = client.get("/api/v1/search", query_string={"q": "возражение дорого"})
    assert answer.status_code == 200
    body = answer.get_json()
    assert [i["text"] for i in body["items"]] == [
        "Возражения: клиент считает, что дорого. Ответили сравнением покрытия."]
    assert "<mark>" in body["items"][0]["snippet"]
    bad = client.get("/api/v1/search", query_string={"q": "дорого", "from": "вчера"})
    assert bad.status_code == 422
    assert bad.get_json()["error"]["fields"]["from"] == ["Ожидается дата ГГГГ-ММ-ДД"]
    page = client.get("/search/", query_string={"q": "возражение дорого"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<mark>Возражения</mark>" in html and "рассрочку" not in html
    assert client.get("/search/", query_string={"q": "дорого", "to": "x"}).status_code == 422
    anonymous = client.application.test_client().get("/api/v1/search?q=дорого")
    assert anonymous.status_code == 401
