"""The studio's pages and JSON: list, process page and owner, form editor, instance viewer, simulation."""

from __future__ import annotations

import json

from sqlalchemy import select

from models.studio.tables import ProcessDraft, ProcessOwner
from tests.conftest import csrf_from
from tests.studio.conftest import api
from tests.studio.test_simulation import SCENARIO

SCHEMA = {
    "type": "object",
    "required": ["outcome"],
    "properties": {"outcome": {"type": "string", "title": "Итог", "enum": ["ok", "no"]}},
}


def test_the_list_and_the_process_page(world, as_user, session):
    analyst = as_user("analyst")
    page = analyst.get("/studio").get_data(as_text=True)
    for name in ("Обработка лида", "Перезвонить клиенту", "Проверка реквизитов клиента"):
        assert name in page
    assert "Студия процессов" in page
    token = csrf_from(page)
    created = analyst.post(
        "/studio/processes", data={"csrf_token": token, "key": "renewal_check", "name": "Проверка продления"}
    )
    assert created.status_code == 302 and created.headers["Location"].endswith(
        "/studio/processes/renewal_check/edit"
    )
    assert (
        analyst.post(
            "/studio/processes", data={"csrf_token": token, "key": "1 плохой", "name": "x"}
        ).status_code
        == 422
    )
    assert (
        analyst.post(
            "/studio/processes", data={"csrf_token": token, "key": "lead_handling", "name": "x"}
        ).status_code
        == 409
    )
    source = analyst.get("/studio/api/processes/renewal_check/source").get_json()
    assert 'id="renewal_check"' in source["xml"] and source["version"] is None and source["draft"]
    assert "renewal_check" in analyst.get("/studio").get_data(as_text=True)
    owner = analyst.post(
        "/studio/processes/lead_handling/owner",
        data={"csrf_token": token, "user_id": world.users["senior"].id},
    )
    assert owner.status_code == 302
    assert session.scalar(select(ProcessOwner.user_id)) == world.users["senior"].id
    assert (
        analyst.post(
            "/studio/processes/lead_handling/owner", data={"csrf_token": token, "user_id": 999999}
        ).status_code
        == 422
    )
    process_page = analyst.get("/studio/processes/lead_handling").get_data(as_text=True)
    assert "Версии" in process_page and "v1" in process_page
    assert analyst.get("/studio/processes/nope/edit").status_code == 404
    catalog = analyst.get("/studio/api/processes/lead_handling/catalog").get_json()
    assign = next(op for op in catalog["operations"] if op["name"] == "leads.assign")
    assert assign["params"][0] == {
        "name": "lead_id",
        "type": "целое число",
        "declared": "int",
        "required": True,
    }
    assert {d["id"] for d in catalog["decisions"]} == {"lead_funnel", "lead_team", "discount_authority",
                                                      "discount_tariff", "renewal_window",
                                                      "document_route", "department_request_sla"}
    assert ["manager", "Менеджер"] in catalog["roles"]


def test_the_form_editor_checks_labels_previews_and_saves_into_the_draft(world, as_user, session):
    analyst = as_user("analyst")
    page = analyst.get("/studio/processes/lead_handling/forms/lead_outcome.schema.json")
    assert page.status_code == 200
    assert "Квалифицирован — открыть сделку" in page.get_data(as_text=True)  # the preview, drawn at once
    preview = api(
        analyst, "POST", "/studio/api/forms/preview", {"schema": json.dumps(SCHEMA), "ui": ""}
    ).get_json()
    assert preview["problems"] == [
        "поле «outcome»: у вариантов нет русских подписей (enumNames или ui:labels)"
    ]
    assert 'id="f-outcome"' in preview["html"]
    refused = api(
        analyst,
        "PUT",
        "/studio/api/processes/lead_handling/forms/review.schema.json",
        {"schema": json.dumps(SCHEMA), "ui": ""},
    )
    assert refused.status_code == 422 and "русских подписей" in refused.get_json()["error"]["message"]
    broken = api(analyst, "POST", "/studio/api/forms/preview", {"schema": "{", "ui": ""}).get_json()
    assert broken["problems"][0].startswith("Схема: не JSON")
    labelled = {
        **SCHEMA,
        "properties": {"outcome": {**SCHEMA["properties"]["outcome"], "enumNames": ["Да", "Нет"]}},
    }
    saved = api(
        analyst,
        "PUT",
        "/studio/api/processes/lead_handling/forms/review.schema.json",
        {"schema": json.dumps(labelled), "ui": json.dumps({"ui:order": ["outcome"]})},
    )
    assert saved.status_code == 200 and saved.get_json()["saved"] == ["review.schema.json", "review.ui.json"]
    draft = session.scalar(select(ProcessDraft))
    assert draft.forms["review.schema.json"]["properties"]["outcome"]["enumNames"] == ["Да", "Нет"]
    assert (
        "review.schema.json" in analyst.get("/studio/api/processes/lead_handling/catalog").get_json()["forms"]
    )


def test_the_instance_viewer_marks_the_path(world, as_user):
    lead = world.lead(company="ООО «Путь»", phone="+79160001122", territory="Москва", industry="Логистика")
    view = as_user("analyst").get(f"/studio/api/instances/{lead.instance_id}/view").get_json()
    assert view["markers"]["contact"] == ["node-active"]
    for element in ("start", "find_client", "pick_funnel", "assign", "form_defaults"):
        assert view["markers"][element] == ["node-completed"]
    for flow in ("to_find", "to_funnel", "to_contact"):
        assert view["markers"][flow] == ["path-taken"]
    assert "contact_done" not in view["markers"]
    rows = dict(view["details"]["assign"][0]["rows"])
    assert rows["Кто"] == "система"
    page = as_user("analyst").get(f"/studio/instances/{lead.instance_id}").get_data(as_text=True)
    assert "Инцидентов нет" in page
    assert as_user("manager").get(f"/studio/instances/{lead.instance_id}").status_code == 403


def test_the_simulation_page_compares_the_version_with_the_draft(world, as_user):
    analyst = as_user("analyst")
    lead = world.engine().definition("lead_handling").source_xml
    faster = lead.replace(
        '<bpmn:timeDuration>"PT4H"</bpmn:timeDuration>', '<bpmn:timeDuration>"PT1H"</bpmn:timeDuration>'
    )
    api(analyst, "PUT", "/studio/api/processes/lead_handling/draft", {"xml": faster})
    page = analyst.get("/studio/processes/lead_handling/simulate").get_data(as_text=True)
    token = csrf_from(page)
    scenario = json.dumps({**SCENARIO, "cases": 80})
    answer = analyst.post(
        "/studio/processes/lead_handling/simulate",
        data={"csrf_token": token, "scenario": scenario, "with_draft": "1"},
    )
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert "текущая (v1)" in html and "черновик" in html and 'id="simulation-summary"' in html
    assert html.count("data-overlay=") == 2
    bad = analyst.post(
        "/studio/processes/lead_handling/simulate",
        data={"csrf_token": token, "scenario": '{"capacity": {"manager": 0}}'},
    )
    assert bad.status_code == 422 and "capacity.manager: число сотрудников от 1 до 1000" in bad.get_data(
        as_text=True
    )
