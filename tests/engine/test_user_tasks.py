"""User tasks: the human_task projection, form validation, routing by lane and properties."""

from datetime import timedelta

import pytest

from engine.errors import ConflictError, FormValidationError


def test_user_task_is_mirrored_with_form_candidates_due_date_and_priority(harness, clock):
    harness.deploy("simple_user_task.bpmn")
    instance = harness.start("simple_user_task", {"company": "Ромашка"}, business_type="client",
                             business_id=7)
    [task] = harness.open_tasks(instance.id)
    assert task.title == "Связаться с клиентом"
    assert task.element_id == "contact"
    assert task.form == "contact.schema.json"
    assert task.candidate_role == "manager"  # from the lane name
    assert task.due_at == clock.now() + timedelta(hours=4)
    assert task.priority == 1
    assert (task.business_type, task.business_id) == ("client", 7)
    assert task.instructions.startswith("Позвоните")
    assert instance.status == "running"
    assert harness.data(instance)["client_id"] == 7


def test_invalid_form_data_keeps_the_task_open_with_russian_field_errors(harness):
    harness.deploy("simple_user_task.bpmn")
    instance = harness.start("simple_user_task", {"company": "Ромашка"})
    [task] = harness.open_tasks(instance.id)
    with pytest.raises(FormValidationError) as caught:
        harness.engine().complete_task(task.id, {"outcome": "maybe", "amount": -5}, None)
    harness.session.rollback()
    assert caught.value.errors == {"amount": ["Значение должно быть не меньше 0"],
                                   "outcome": ["Выберите значение из списка"]}
    with pytest.raises(FormValidationError) as missing:
        harness.engine().complete_task(task.id, {}, None)
    harness.session.rollback()
    assert missing.value.errors == {"outcome": ["Обязательное поле"]}
    assert [t.id for t in harness.open_tasks(instance.id)] == [task.id]


def test_valid_data_completes_the_task_and_moves_the_process_on(harness, demo_users):
    harness.deploy("simple_user_task.bpmn")
    instance = harness.start("simple_user_task", {"company": "Ромашка"})
    [task] = harness.open_tasks(instance.id)
    harness.complete(task, {"outcome": "qualified", "comment": "ок"}, demo_users["manager"].id)
    harness.session.refresh(task)
    assert task.status == "completed"
    assert task.completed_by_id == demo_users["manager"].id
    assert task.completed_data == {"outcome": "qualified", "comment": "ок"}
    assert instance.status == "completed"
    events = harness.events(instance.id)
    assert ("user_task_completed", "contact") in events
    assert ("task_completed", "won") in events  # the gateway took the qualified branch
    assert ("task_completed", "lost") not in events
    assert events[-1] == ("instance_completed", None)


def test_completing_twice_is_a_conflict(harness):
    harness.deploy("simple_user_task.bpmn")
    instance = harness.start("simple_user_task", {"company": "Ромашка"})
    [task] = harness.open_tasks(instance.id)
    harness.complete(task, {"outcome": "rejected"})
    with pytest.raises(ConflictError):
        harness.engine().complete_task(task.id, {"outcome": "rejected"}, None)


def test_cancel_closes_open_tasks_and_records_the_reason(harness):
    harness.deploy("simple_user_task.bpmn")
    instance = harness.start("simple_user_task", {"company": "Ромашка"})
    harness.engine().cancel(instance.id, None, "клиент передумал")
    harness.session.commit()
    assert instance.status == "cancelled"
    assert harness.open_tasks(instance.id) == []
    assert harness.events(instance.id)[-1] == ("instance_cancelled", None)
