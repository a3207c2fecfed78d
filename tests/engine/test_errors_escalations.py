"""Error and escalation events, and operations failing with a BPMN error the diagram catches."""

import sys

import pytest
from sqlalchemy import select

from engine.errors import BpmnErrorRaised
from engine.operations import OperationContext
from engine.tables import HumanTask, Incident


def check_counterparty(context: OperationContext, inn: str) -> dict:
    """Stand-in for a stop-list lookup: 000… is listed, 999… a code no diagram catches."""
    if inn.startswith("000"):
        raise BpmnErrorRaised("BLACKLISTED", "Контрагент в стоп-листе ФНС", {"list": "ФНС"})
    if inn.startswith("999"):
        raise BpmnErrorRaised("UNKNOWN_STATUS", "Статус контрагента не определён")
    return {"status": "clean"}


def register(registry) -> None:
    """This module is a package of the test app: it declares its test operations."""
    registry.operation("test.check_counterparty", check_counterparty)


@pytest.fixture
def extra_packages():
    return (sys.modules[__name__],)


def _statuses(harness, instance_id):
    harness.session.expire_all()
    return {r.element_id: r.status for r in harness.session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance_id))}


def test_error_end_event_in_subprocess_is_caught_by_the_boundary(harness):
    harness.deploy("features/error_subprocess.bpmn")
    instance = harness.start("error_subprocess")
    [task] = harness.open_tasks(instance.id)
    assert task.element_id == "upload_docs"
    harness.complete(task, {"missing": 2})
    [request] = harness.open_tasks(instance.id)
    assert (request.element_id, request.candidate_role) == ("request_docs", "back_office")
    assert harness.data(instance)["docs_error"] == {"missing": 2}
    events = harness.events(instance.id)
    assert ("task_completed", "docs_missing") in events
    assert ("task_completed", "on_docs_missing") in events
    assert ("task_completed", "docs_ok") not in events
    harness.complete(request, {})
    assert instance.status == "completed"
    assert _statuses(harness, instance.id) == {"upload_docs": "completed", "request_docs": "completed"}


def test_subprocess_without_error_takes_the_normal_path(harness):
    harness.deploy("features/error_subprocess.bpmn")
    instance = harness.start("error_subprocess")
    harness.complete(harness.open_tasks(instance.id)[0], {"missing": 0})
    assert instance.status == "completed"
    assert harness.data(instance)["docs_status"] == "complete"
    assert ("task_completed", "on_docs_missing") not in harness.events(instance.id)


def test_escalation_is_caught_without_interrupting_the_subprocess(harness):
    harness.deploy("features/escalation.bpmn")
    instance = harness.start("discount_escalation", {"discount": 15})
    tasks = {t.element_id: t for t in harness.open_tasks(instance.id)}
    assert set(tasks) == {"finalize_terms", "approve_discount"}
    assert tasks["approve_discount"].candidate_role == "head"
    assert harness.data(instance)["escalated"] == {"discount": 15}
    harness.complete(tasks["approve_discount"], {})
    assert [t.element_id for t in harness.open_tasks(instance.id)] == ["finalize_terms"]
    harness.complete(tasks["finalize_terms"], {"terms_changed": False})
    assert instance.status == "completed"
    events = harness.events(instance.id)
    assert ("task_completed", "escalate_discount") in events
    assert ("task_completed", "on_big_discount") in events


def test_small_discount_does_not_escalate(harness):
    harness.deploy("features/escalation.bpmn")
    instance = harness.start("discount_escalation", {"discount": 5})
    [task] = harness.open_tasks(instance.id)
    assert task.element_id == "finalize_terms"
    harness.complete(task, {"terms_changed": False})
    assert instance.status == "completed"
    assert ("task_completed", "on_big_discount") not in harness.events(instance.id)


def test_escalation_end_event_ends_the_subprocess_and_opens_a_review_alongside(harness):
    harness.deploy("features/escalation.bpmn")
    instance = harness.start("discount_escalation", {"discount": 5})
    harness.complete(harness.open_tasks(instance.id)[0], {"terms_changed": True})
    [review] = harness.open_tasks(instance.id)
    assert (review.element_id, review.candidate_role) == ("legal_review_terms", "lawyer")
    events = harness.events(instance.id)
    assert ("task_completed", "terms_changed_end") in events
    assert ("task_completed", "on_terms_changed") in events
    assert ("task_completed", "negotiate") in events  # not interrupted: the subprocess finished
    assert ("task_completed", "end") in events
    assert instance.status == "running"
    harness.complete(review, {})
    assert instance.status == "completed"


def test_operation_bpmn_error_is_caught_by_the_error_boundary_not_an_incident(harness, session):
    harness.deploy("features/service_bpmn_error.bpmn")
    instance = harness.start("counterparty_check", {"inn": "0001234567"})
    assert instance.status == "running"
    [task] = harness.open_tasks(instance.id)
    assert (task.element_id, task.candidate_role) == ("review_blacklisted", "lawyer")
    assert session.scalars(select(Incident)).all() == []
    data = harness.data(instance)
    assert data["blacklist"] == {"code": "BLACKLISTED", "message": "Контрагент в стоп-листе ФНС",
                                 "list": "ФНС"}
    assert "check" not in data
    events = harness.events(instance.id)
    assert ("error_thrown", "check_counterparty") in events
    assert ("task_completed", "on_blacklisted") in events
    harness.complete(task, {})
    assert instance.status == "completed"


def test_operation_success_skips_the_boundary(harness):
    harness.deploy("features/service_bpmn_error.bpmn")
    instance = harness.start("counterparty_check", {"inn": "7701234567"})
    assert instance.status == "completed"
    assert harness.data(instance)["check"] == {"status": "clean"}
    assert harness.open_tasks(instance.id) == []


def test_uncaught_bpmn_error_becomes_an_incident(harness, session):
    harness.deploy("features/service_bpmn_error.bpmn")
    instance = harness.start("counterparty_check", {"inn": "9991234567"})
    assert instance.status == "error"
    [incident] = session.scalars(select(Incident).where(Incident.instance_id == instance.id)).all()
    assert incident.element_id == "check_counterparty"
    assert incident.error.startswith("Статус контрагента не определён")
    assert incident.transient is False
    assert harness.open_tasks(instance.id) == []
    assert ("incident", "check_counterparty") in harness.events(instance.id)


def test_operation_bpmn_error_inside_a_subprocess_is_caught_by_a_catch_all_boundary(harness, session):
    harness.deploy("features/service_bpmn_error_sub.bpmn")
    instance = harness.start("onboarding_checks", {"inn": "9990000000"})  # a code nobody names
    [task] = harness.open_tasks(instance.id)
    assert (task.element_id, task.candidate_role) == ("manual_check", "lawyer")
    assert session.scalars(select(Incident)).all() == []
    events = harness.events(instance.id)
    assert ("error_thrown", "check_counterparty") in events
    assert ("task_completed", "on_any_error") in events
    assert ("task_completed", "check_counterparty") not in events
    harness.complete(task, {})
    assert instance.status == "completed"

    clean = harness.start("onboarding_checks", {"inn": "7700000000"})
    assert [t.element_id for t in harness.open_tasks(clean.id)] == ["sign_contract"]
