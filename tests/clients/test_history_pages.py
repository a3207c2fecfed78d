"""A card's history stays short however long the client lives; the whole of it is a paged page of its own."""

import re
from datetime import UTC, datetime, timedelta

from models.clients.history import CARD_ROWS, PAGE_ROWS
from models.platform.audit import AuditLog
from tests.clients.conftest import make_client
from tests.conftest import login


def _changes(session, client, user, count: int) -> list[str]:
    """``count`` territory changes of ``client``, oldest first; their new values."""
    start = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
    values = [f"Город {i:04d}" for i in range(count)]
    session.add_all(AuditLog(at=start + timedelta(hours=i), user_id=user.id, entity_type="client",
                             entity_id=str(client.id), action="update", field="territory",
                             old_value=f"Город {i - 1:04d}" if i else None, new_value=value)
                    for i, value in enumerate(values))
    session.commit()
    return values


def _shown(page: str) -> list[str]:
    table = page.split('id="history"')[1].split("</table>")[0]
    return re.findall(r"<td>(Город \d{4})</td><td class=\"small\">", table)


def _link(page: str, element_id: str) -> str | None:
    found = re.search(rf'id="{element_id}" href="([^"]+)"', page)
    return found.group(1).replace("&amp;", "&") if found else None


def test_the_card_shows_the_newest_changes_and_the_history_page_pages_through_every_one(
        client, session, demo_users):
    manager = demo_users["manager"]
    known = make_client(session, manager, "Долгожитель")
    values = _changes(session, known, manager, PAGE_ROWS + CARD_ROWS + 7)
    login(client, "manager")
    card = client.get(f"/clients/{known.id}").get_data(as_text=True)
    assert _shown(card) == values[::-1][:CARD_ROWS]  # newest first, the rest behind a link
    url = _link(card, "all-history")
    assert url == f"/clients/{known.id}/history"
    seen: list[str] = []
    pages = 0
    while url:
        answer = client.get(url)
        assert answer.status_code == 200
        page = answer.get_data(as_text=True)
        assert "История изменений" in page and "Долгожитель" in page
        seen += _shown(page)
        pages += 1
        url = _link(page, "older-history")
    assert seen == values[::-1]  # every change once, newest first, none skipped across pages
    assert pages == 2
    # the creation row of the card itself is the oldest entry of the last page
    assert "Клиент: создание" in page and _link(page, "newest-history") == f"/clients/{known.id}/history"


def test_a_short_history_has_no_link_and_a_bad_cursor_shows_the_newest_page(client, session, demo_users):
    manager = demo_users["manager"]
    known = make_client(session, manager, "Новичок")
    values = _changes(session, known, manager, 3)
    login(client, "manager")
    card = client.get(f"/clients/{known.id}").get_data(as_text=True)
    assert _shown(card) == values[::-1] and _link(card, "all-history") is None
    for cursor in ("abc", "-5", "99999999999999999999", "1e3"):
        answer = client.get(f"/clients/{known.id}/history?before={cursor}")
        assert answer.status_code == 200
        assert _shown(answer.get_data(as_text=True)) == values[::-1]


def test_the_history_page_of_someone_elses_client_is_refused(client, session, demo_users):
    other = make_client(session, demo_users["manager2"], "Чужой")
    _changes(session, other, demo_users["manager2"], 2)
    login(client, "manager")
    answer = client.get(f"/clients/{other.id}/history")
    assert answer.status_code in (403, 404)
    assert "Город" not in answer.get_data(as_text=True)
    assert client.get("/clients/987654/history").status_code == 404
