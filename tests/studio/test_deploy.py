"""Acceptance 5 and the server's checks: deploy from the browser needs the right and a comment,
is audited, and a draft with XXE or a sandbox escape is refused with the element named."""

from __future__ import annotations

from sqlalchemy import select

from engine.tables import ProcessDefinition
from models.platform.audit import AuditLog
from models.platform.settings import PROJECT_ROOT
from models.studio.tables import Deployment, ProcessDraft
from tests.studio.conftest import api

LEAD = (PROJECT_ROOT / "processes" / "lead_handling.bpmn").read_text(encoding="utf-8")
XXE = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE bpmn:definitions [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="lead_handling" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:scriptTask id="steal" name="Украсть"><bpmn:script>x = "&xxe;"</bpmn:script></bpmn:scriptTask>
  </bpmn:process>
</bpmn:definitions>
"""


def _versions(session) -> list[int]:
    session.expire_all()
    return list(
        session.scalars(select(ProcessDefinition.version).where(ProcessDefinition.key == "lead_handling")
                        .order_by(ProcessDefinition.version))
    )


def test_a_manager_may_neither_open_the_studio_nor_deploy(world, as_user, session):
    manager = as_user("manager")
    assert manager.get("/studio").status_code == 403
    assert manager.get("/studio/processes/lead_handling/edit").status_code == 403
    answer = api(manager, "POST", "/studio/api/processes/lead_handling/deploy", {"comment": "хочу"})
    assert answer.status_code == 403
    assert answer.get_json()["error"]["message"] == "Недостаточно прав для этого действия"
    assert _versions(session) == [1]


def test_an_analyst_deploys_a_draft_with_a_comment_and_it_is_audited(world, as_user, session):
    analyst = as_user("analyst")
    changed = LEAD.replace('name="dueIn" value="PT4H"', 'name="dueIn" value="PT2H"', 1)
    assert (
        api(analyst, "PUT", "/studio/api/processes/lead_handling/draft", {"xml": changed}).status_code == 200
    )
    refused = api(analyst, "POST", "/studio/api/processes/lead_handling/deploy", {"comment": "  "})
    assert refused.status_code == 422
    assert "комментарий" in refused.get_json()["error"]["message"]
    preview = api(analyst, "POST", "/studio/api/processes/lead_handling/preview", {}).get_json()
    assert [c["id"] for c in preview["diff"]["changed"]] == ["contact"]
    assert preview["diff"]["changed"][0]["fields"] == ["срок"]
    answer = api(
        analyst,
        "POST",
        "/studio/api/processes/lead_handling/deploy",
        {"comment": "Срок первого звонка — 2 часа: клиенты остывают"},
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["version"] == 2 and body["status"] == "updated"
    assert body["diff_url"] == "/studio/processes/lead_handling/diff?to=2&from=1"
    assert _versions(session) == [1, 2]
    deployment = session.scalar(select(Deployment))
    analyst_id = world.users["analyst"].id
    assert (deployment.user_id, deployment.version, deployment.previous_version) == (analyst_id, 2, 1)
    assert deployment.comment == "Срок первого звонка — 2 часа: клиенты остывают"
    assert "PT2H" in deployment.diagrams["lead_handling.bpmn"]
    assert set(deployment.diagrams) == {"lead_handling.bpmn", "lead_funnel.dmn", "lead_team.dmn"}
    audit = session.scalars(select(AuditLog).where(AuditLog.entity_type == "studio_deployment")).all()
    assert {a.field for a in audit} >= {"comment", "version", "user_id"}
    assert {a.user_id for a in audit} == {analyst_id}
    assert {a.reason for a in audit} == {"Срок первого звонка — 2 часа: клиенты остывают"}
    definition = session.scalar(select(ProcessDefinition).where(ProcessDefinition.version == 2))
    assert definition.deployed_by_id == analyst_id
    assert session.scalar(select(ProcessDraft)) is None  # the draft is gone once deployed
    page = analyst.get("/studio/processes/lead_handling").get_data(as_text=True)
    assert "Срок первого звонка — 2 часа: клиенты остывают" in page


def test_a_draft_with_xxe_is_refused_naming_the_element(world, as_user, session):
    analyst = as_user("analyst")
    answer = api(analyst, "PUT", "/studio/api/processes/lead_handling/draft", {"xml": XXE})
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert "DOCTYPE" in error["message"] and "«steal»" in error["message"]
    assert [p["element"] for p in error["problems"]] == ["steal"]
    checked = api(analyst, "POST", "/studio/api/processes/lead_handling/validate", {"xml": XXE})
    assert checked.status_code == 422 and checked.get_json()["error"]["problems"][0]["element"] == "steal"
    assert session.scalar(select(ProcessDraft)) is None
    assert _versions(session) == [1]


def test_a_sandbox_escape_is_refused_at_deploy_naming_the_element(world, as_user, session):
    analyst = as_user("analyst")
    escape = LEAD.replace('reason = ""', "reason = ().__class__.__base__.__subclasses__()", 1)
    assert (
        api(analyst, "PUT", "/studio/api/processes/lead_handling/draft", {"xml": escape}).status_code == 200
    )
    problems = api(analyst, "POST", "/studio/api/processes/lead_handling/validate", {}).get_json()["problems"]
    assert [(p["element"], p["severity"]) for p in problems] == [("form_defaults", "error")]
    assert "_" in problems[0]["message"]
    answer = api(analyst, "POST", "/studio/api/processes/lead_handling/deploy", {"comment": "попытка"})
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert "«form_defaults»" in error["message"]
    assert [p["element"] for p in error["problems"]] == ["form_defaults"]
    assert _versions(session) == [1]
    assert session.scalar(select(Deployment)) is None


def test_validation_marks_every_broken_element(world, as_user):
    analyst = as_user("analyst")
    broken = LEAD.replace('id="leads.assign"', 'id="leads.assignx"', 1)
    broken = broken.replace(
        '<spiffworkflow:property name="formJsonSchemaFilename" value="lead_outcome.schema.json" />',
        '<spiffworkflow:property name="formJsonSchemaFilename" value="nope.schema.json" />',
        1,
    )
    broken = broken.replace('<spiffworkflow:property name="candidateRole" value="senior_manager" />', "", 1)
    broken = broken.replace(
        '<spiffworkflow:property name="assignee" value="routing[&quot;senior_id&quot;]" />', "", 1
    )
    problems = api(
        analyst, "POST", "/studio/api/processes/lead_handling/validate", {"xml": broken}
    ).get_json()
    by_element = {p["element"]: p["message"] for p in problems["problems"]}
    assert "операция «leads.assignx» не зарегистрирована" in by_element["assign"]
    assert "nope.schema.json" in by_element["contact"]
    assert "ни в чьи входящие" in by_element["contact_senior"]
    assert (
        api(analyst, "POST", "/studio/api/processes/lead_handling/validate", {"xml": LEAD}).get_json()[
            "problems"
        ]
        == []
    )
