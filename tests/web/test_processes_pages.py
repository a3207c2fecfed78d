"""The /processes pages through the real HTTP layer: lists, history, retry, cancel, rights.

Diagrams are deployed through the engine façade and driven with the engine harness; the
failing service task calls an operation registered here that fails until the test switches
the «registry» back on.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.bundle import Bundle
from engine.errors import OperationError
from engine.operations import OperationContext
from engine.tables import HumanTask, Incident, ProcessDefinition, ProcessEvent, ProcessInstance, TaskStatus
from models.identity.users import Department
from tests.conftest import csrf_from, login
from tests.engine.conftest import BPMN, FORMS, EngineHarness
from web.engine_support import engine_services
from web.processes import views

HERE = Path(__file__).parent
FLAKY = HERE / "bpmn" / "web_flaky_lookup.bpmn"
SIMPLE = BPMN / "simple_user_task.bpmn"
REGISTRY = {"up": False, "writes_invalid": False}


def lookup(context: OperationContext, inn: str) -> dict:
    """Fails while the test's «registry» is down; may leave a row the database refuses."""
    if REGISTRY["writes_invalid"]:
        context.session.add(Department(code=None, name=None))  # NOT NULL: refused at the next flush
    if not REGISTRY["up"]:
        raise OperationError("Реестр ФНС недоступен")
    return {"inn": inn, "name": "ООО «Ромашка»"}


def register(registry) -> None:
    """This module is a package of the test app: it declares its test operations."""
    registry.operation("test.web_pages_lookup", lookup)


@pytest.fixture
def extra_packages():
    return (sys.modules[__name__],)


@pytest.fixture
def settings_overrides() -> dict:
    return {"forms_dir": FORMS}


@pytest.fixture
def procs(app, session, engine, clock, demo_users) -> EngineHarness:
    REGISTRY.update(up=False, writes_invalid=False)
    harness = EngineHarness(session, clock, engine, engine_services(app))
    harness.engine().deploy(Bundle.from_paths([SIMPLE, FLAKY], FORMS), user_id=demo_users["admin"].id)
    session.commit()
    return harness


def _client(app, login_name: str):
    client = app.test_client()
    assert login(client, login_name).status_code == 302
    return client


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _start_simple(procs: EngineHarness, **kwargs) -> ProcessInstance:
    return procs.start("simple_user_task", {"company": "Ромашка"}, **kwargs)


def test_definitions_page_lists_versions_and_counts_by_status(app, procs, demo_users, tmp_path):
    first = _start_simple(procs)
    _start_simple(procs)
    procs.complete(procs.open_tasks(first.id)[0], {"outcome": "qualified"})
    procs.start("web_flaky_lookup", {"inn": "7701234567"})
    changed = tmp_path / "simple_user_task.bpmn"
    changed.write_text(SIMPLE.read_text(encoding="utf-8").replace("* 2", "* 3"), encoding="utf-8")
    procs.deploy_paths([changed])
    procs.session.commit()

    html = _page(_client(app, "admin"), "/processes")

    assert "Простая задача" in html and "simple_user_task" in html
    assert "v2" in html and "v1" in html
    assert demo_users["admin"].full_name in html  # who deployed v1
    assert "система" in html  # v2 was deployed without a user
    running = '/processes/instances?process=simple_user_task&amp;status=running"'
    assert running in html
    assert html.split(running)[1].split("</a>")[0].strip().endswith(">1")
    assert '/processes/instances?process=simple_user_task&amp;status=completed"' in html
    assert '/processes/instances?process=web_flaky_lookup&amp;status=error"' in html
    assert '/processes/instances?process=simple_user_task&amp;status=cancelled"' not in html


def test_instance_list_filters_and_pages_by_keyset(app, procs, monkeypatch):
    ids = [_start_simple(procs, business_type="lead", business_id=n).id for n in range(1, 6)]
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client = _client(app, "admin")

    def shown(html: str) -> list[int]:
        return [i for i in ids if f'href="/processes/instances/{i}"' in html]

    page = _page(client, "/processes/instances?process=simple_user_task")
    assert shown(page) == [ids[3], ids[4]]
    assert f"before={ids[3]}" in page
    page = _page(client, f"/processes/instances?process=simple_user_task&before={ids[3]}")
    assert shown(page) == [ids[1], ids[2]]
    page = _page(client, f"/processes/instances?process=simple_user_task&before={ids[1]}")
    assert shown(page) == [ids[0]]
    assert "Дальше" not in page and "В начало" in page

    page = _page(client, "/processes/instances?business_type=lead&business_id=3")
    assert shown(page) == [ids[2]]
    page = _page(client, "/processes/instances?status=completed")
    assert shown(page) == [] and "Экземпляров не найдено" in page


def test_instance_page_shows_status_tasks_history_and_data(app, procs, demo_users):
    admin, manager = demo_users["admin"], demo_users["manager"]
    instance = _start_simple(procs, business_type="lead", business_id=7, user_id=admin.id)
    client = _client(app, "admin")

    html = _page(client, f"/processes/instances/{instance.id}")
    assert "Выполняется" in html and "lead №7" in html
    assert "Связаться с клиентом" in html  # the open task
    assert "Процесс запущен" in html and "Подготовить" in html and "версия 1" in html
    assert "<code>company</code>" in html and "&#34;Ромашка&#34;" in html  # data, escaped JSON
    assert "<code>score</code>" in html
    assert 'id="cancel-form"' in html

    procs.complete(procs.open_tasks(instance.id)[0], {"outcome": "qualified"}, user_id=manager.id)
    html = _page(client, f"/processes/instances/{instance.id}")
    assert "Завершён" in html and "Открытых задач нет" in html
    history = html.split('id="history"')[1]
    assert "Задача выполнена" in history and manager.full_name in history
    assert history.index("Задача выполнена") < history.index("Процесс завершён")
    assert 'id="cancel-form"' not in html


def test_retry_incident_through_the_page(app, procs, demo_users):
    instance = procs.start("web_flaky_lookup", {"inn": "7701234567"})
    client = _client(app, "admin")
    html = _page(client, f"/processes/instances/{instance.id}")
    assert "Ошибка" in html and "Реестр ФНС недоступен" in html and "1 из 1" in html
    assert "Повторить" in html
    incident = procs.session.scalar(select(Incident).where(Incident.instance_id == instance.id))

    response = client.post(f"/processes/incidents/{incident.id}/retry", data={"csrf_token": csrf_from(html)},
                           follow_redirects=True)
    assert response.status_code == 200
    assert "Повтор не удался: Реестр ФНС недоступен" in response.get_data(as_text=True)
    procs.session.refresh(incident)
    assert (incident.status, incident.attempts) == ("open", 2)

    REGISTRY["up"] = True
    response = client.post(f"/processes/incidents/{incident.id}/retry", data={"csrf_token": csrf_from(html)},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "инцидент закрыт" in page and "Завершён" in page and "ООО «Ромашка»" in page
    assert "Повтор после инцидента" in page
    procs.session.refresh(incident)
    procs.session.refresh(instance)
    assert incident.status == "resolved" and incident.resolved_by_id == demo_users["admin"].id
    assert instance.status == "completed"

    again = client.post(f"/processes/incidents/{incident.id}/retry", data={"csrf_token": csrf_from(html)})
    assert again.status_code == 409
    assert "Инцидент уже разрешён" in again.get_data(as_text=True)


def test_a_retry_failing_in_the_database_after_writing_stores_nothing(app, procs):
    instance = procs.start("web_flaky_lookup", {"inn": "7701234567"})
    incident = procs.session.scalar(select(Incident).where(Incident.instance_id == instance.id))
    events = procs.session.scalar(select(func.count(ProcessEvent.id)))
    departments = procs.session.scalar(select(func.count(Department.id)))
    client = _client(app, "admin")
    html = _page(client, f"/processes/instances/{instance.id}")

    # The retried step writes its history, runs the operation (which leaves a row the database
    # refuses) and fails at the flush: the request's unit of work must throw all of it away.
    REGISTRY.update(up=True, writes_invalid=True)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.post(f"/processes/incidents/{incident.id}/retry", data={"csrf_token": csrf_from(html)})

    assert response.status_code == 500
    assert "Внутренняя ошибка сервера" in response.get_data(as_text=True)
    procs.session.expire_all()
    assert (incident.status, incident.attempts, instance.status) == ("open", 1, "error")
    assert procs.session.scalar(select(func.count(ProcessEvent.id))) == events
    assert procs.session.scalar(select(func.count(Department.id))) == departments


def test_cancel_needs_a_reason_and_records_it(app, procs, demo_users):
    instance = _start_simple(procs)
    client = _client(app, "admin")
    token = csrf_from(_page(client, f"/processes/instances/{instance.id}"))

    refused = client.post(f"/processes/instances/{instance.id}/cancel",
                          data={"csrf_token": token, "reason": "  "})
    assert refused.status_code == 422
    assert "Укажите причину отмены процесса" in refused.get_data(as_text=True)
    procs.session.refresh(instance)
    assert instance.status == "running"
    assert len(procs.open_tasks(instance.id)) == 1

    done = client.post(f"/processes/instances/{instance.id}/cancel",
                       data={"csrf_token": token, "reason": "Клиент отказался"}, follow_redirects=True)
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and "Процесс отменён" in html and "Причина: Клиент отказался" in html
    procs.session.refresh(instance)
    assert instance.status == "cancelled"
    assert procs.open_tasks(instance.id) == []
    task = procs.session.scalar(select(HumanTask).where(HumanTask.instance_id == instance.id))
    assert task.status == TaskStatus.CANCELLED

    again = client.post(f"/processes/instances/{instance.id}/cancel",
                        data={"csrf_token": token, "reason": "ещё раз"})
    assert again.status_code == 409
    assert "Процесс уже завершён или отменён" in again.get_data(as_text=True)


def test_manager_is_refused_and_analyst_may_only_look(app, procs, demo_users):
    failing = procs.start("web_flaky_lookup", {"inn": "7701234567"})
    running = _start_simple(procs)
    incident = procs.session.scalar(select(Incident).where(Incident.instance_id == failing.id))
    definition_id = procs.session.scalar(select(ProcessDefinition.id).limit(1))
    paths = ["/processes", "/processes/instances", f"/processes/instances/{failing.id}",
             f"/processes/definitions/{definition_id}/source"]

    manager = _client(app, "manager")
    for path in paths:
        response = manager.get(path)
        assert response.status_code == 403, path
        assert "Недостаточно прав" in response.get_data(as_text=True)
    assert 'href="/processes"' not in _page(manager, "/inbox/")

    analyst = _client(app, "analyst")
    for path in paths:
        _page(analyst, path)
    assert 'href="/processes"' in _page(analyst, "/inbox/")
    html = _page(analyst, f"/processes/instances/{failing.id}")
    assert "Реестр ФНС недоступен" in html and "Повторить" not in html and 'id="cancel-form"' not in html
    token = csrf_from(html)
    retry = analyst.post(f"/processes/incidents/{incident.id}/retry", data={"csrf_token": token})
    cancel = analyst.post(f"/processes/instances/{running.id}/cancel",
                          data={"csrf_token": token, "reason": "x"})
    assert retry.status_code == 403 and cancel.status_code == 403
    procs.session.refresh(incident)
    procs.session.refresh(running)
    assert incident.attempts == 1 and running.status == "running"


def test_unsafe_requests_need_the_csrf_token(app, procs):
    failing = procs.start("web_flaky_lookup", {"inn": "7701234567"})
    incident = procs.session.scalar(select(Incident).where(Incident.instance_id == failing.id))
    client = _client(app, "admin")

    retry = client.post(f"/processes/incidents/{incident.id}/retry")
    cancel = client.post(f"/processes/instances/{failing.id}/cancel", data={"reason": "без токена"})

    for response in (retry, cancel):
        assert response.status_code == 400
        assert "CSRF" in response.get_data(as_text=True)
    procs.session.refresh(incident)
    procs.session.refresh(failing)
    assert incident.attempts == 1 and failing.status == "error"


def test_bpmn_source_is_shown_escaped(app, procs):
    definition_id = procs.session.scalar(
        select(ProcessDefinition.id).where(ProcessDefinition.key == "simple_user_task"))
    client = _client(app, "admin")

    html = _page(client, f"/processes/definitions/{definition_id}/source")

    assert "&lt;bpmn:process id=&#34;simple_user_task&#34;" in html
    assert "<bpmn:process" not in html
    assert client.get("/processes/definitions/999999/source").status_code == 404
    missing = client.get("/processes/instances/999999")
    assert missing.status_code == 404 and "не найден" in missing.get_data(as_text=True)
