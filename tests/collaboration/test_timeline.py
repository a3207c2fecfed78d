"""The client timeline: every kind in one feed, field changes grouped and in Russian, keyset pages,
filters, rights; and acceptance 1 on the demo client."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models.clients.cards import Client
from models.collaboration.timeline import TimelineError, timeline
from models.platform.audit import acting_as
from models.platform.permissions import AccessDenied
from models.sales.activities import log_activity
from models.tasks.comments import add_comment
from tests.conftest import login, run_cli


def test_creating_a_card_is_one_entry_in_russian(world):
    with acting_as(world.users["manager"].id):
        client = world.client(inn="7707083893", segment="Крупный", territory="Москва")
    page = timeline(world.session, world.users["manager"], "client", client.id, {})
    [entry] = [e for e in page.entries if e.source == "fields"]
    assert entry.title == "Клиент: создана карточка"
    text = "\n".join(entry.lines)
    assert "Полное наименование: ООО «Ромашка»" in text and "ИНН: 7707083893" in text
    assert "Ответственный: Иван Сергеевич Петров" in text and "Тип клиента: Юрлицо" in text
    assert "registry_flag" not in text and "search_name" not in text and "owner_id" not in text
    assert entry.person == "Иван Сергеевич Петров"


def test_a_change_lists_old_and_new_values(world):
    client = world.client()
    with acting_as(world.users["backoffice"].id):
        client = world.session.get(Client, client.id)
        client.segment, client.owner_id = "Средний", world.users["manager2"].id
        world.session.commit()
    page = timeline(world.session, world.users["head"], "client", client.id, {"kind": "fields"})
    change = page.entries[0]
    assert change.title == "Клиент: изменены поля"
    assert change.lines == ["Сегмент: — → Средний",
                            "Ответственный: Иван Сергеевич Петров → Мария Александровна Смирнова"]


def test_pages_by_keyset_filters_and_rights(world):
    client = world.client()
    for n in range(7):
        world.clock.advance(timedelta(minutes=5))
        who = "manager" if n % 2 else "underwriter"
        log_activity(world.session, kind="call", subject=f"Звонок {n}", outcome=None, happened_at=None,
                     now=world.clock.now(), user_id=world.users[who].id, client_id=client.id)
        add_comment(world.session, "client", client.id, world.users[who], f"Комментарий {n}",
                    world.clock.now())
    world.session.commit()
    seen, args = [], {"kind": "activity", "limit": "3"}
    while True:
        page = timeline(world.session, world.users["manager"], "client", client.id, args)
        seen += [e.title for e in page.entries]
        if not page.next_cursor:
            break
        args = {**args, "after": page.next_cursor}
    assert seen == [f"Звонок {n}" for n in range(6, -1, -1)]
    underwriting = timeline(world.session, world.users["manager"], "client", client.id,
                            {"department": "underwriting"})
    assert {e.title for e in underwriting.entries} == {"Звонок 0", "Звонок 2", "Звонок 4", "Звонок 6",
                                                       "Комментарий 0", "Комментарий 2", "Комментарий 4",
                                                       "Комментарий 6"}
    with pytest.raises(TimelineError):
        timeline(world.session, world.users["manager"], "client", client.id, {"kind": "nope"})
    with pytest.raises(TimelineError):
        timeline(world.session, world.users["manager"], "client", client.id, {"after": "мусор"})
    with pytest.raises(AccessDenied):
        timeline(world.session, world.users["manager2"], "client", client.id, {})


def test_demo_client_timeline_shows_call_document_request_process_step_and_grouped_change(app, session,
                                                                                          client,
                                                                                         clock):
    """Acceptance 1. The audit log carries the wall clock; the app's clock is set just after it."""
    clock.set(datetime.now(UTC) + timedelta(minutes=30))
    run_cli(app, "deploy")
    result = run_cli(app, "demo", "--json")
    # tariff, product question, requisites, contract review, data request
    assert json.loads(result.stdout)["created"]["department_requests"] == 5
    from models.collaboration.requests import DepartmentRequest

    request = session.scalars(select(DepartmentRequest).order_by(DepartmentRequest.id)).first()
    login(client, "manager")
    html = client.get(f"/collaboration/clients/{request.client_id}/timeline?limit=200").get_data(as_text=True)
    kinds = [part.split("</span>")[0] for part in html.split('entry-kind">')[1:]]
    for kind in ("Звонок", "Документ", "Запрос в отдел", "Шаг процесса", "Изменение полей", "Пример"):
        assert kind in kinds, kind
    assert "Клиент: создана карточка" in html and "Сегмент:" in html and "registry_flag" not in html
    assert html.index("Запущен процесс") < html.index("Клиент: создана карточка")  # newest first
    api = client.get(f"/api/v1/clients/{request.client_id}/timeline?limit=200").get_json()
    times = [e["at"] for e in api["items"]]
    assert times == sorted(times, reverse=True)
