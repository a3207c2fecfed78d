"""Defect 5: engine edge cases from public BPMN suites, each on a small diagram of our own."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from engine.errors import DeployError
from engine.jobs import start_scheduled
from engine.tables import Incident, InstanceStatus, ProcessInstance, ProcessSchedule
from tests.engine.conftest import EngineHarness

HERE = Path(__file__).parent / "bpmn"
MSK = ZoneInfo("Europe/Moscow")


def _deploy(harness: EngineHarness, name: str):
    result = harness.deploy_paths([HERE / name])
    harness.session.commit()
    return result


def _refusal(harness: EngineHarness, name: str) -> DeployError:
    with pytest.raises(DeployError) as caught:
        harness.deploy_paths([HERE / name])
    harness.session.rollback()
    return caught.value


def test_a_signal_without_a_name_is_refused_at_deploy(harness):
    error = _refusal(harness, "unnamed_signal.bpmn")
    assert error.element == "stop"
    assert "сигнал без имени" in error.message


def test_a_user_task_reaching_nobody_is_refused_at_deploy(harness):
    error = _refusal(harness, "nobodys_task.bpmn")
    assert error.element == "orphan"
    assert "не попадёт ни в чьи входящие" in error.message


def test_a_feel_condition_is_told_that_conditions_are_python(harness):
    error = _refusal(harness, "feel_condition.bpmn")
    assert "синтаксическая ошибка" in error.message and "условия пишутся на Python" in error.message


def test_print_is_refused_at_deploy(harness):
    assert "print() в скриптах не выводит ничего" in _refusal(harness, "print_script.bpmn").message


def test_spiffworkflows_english_refusals_are_whole_and_introduced_in_russian(harness):
    message = _refusal(harness, "spiff_rejects.bpmn").message
    assert "SpiffWorkflow не принял диаграмму: When looking for a task spec" in message
    assert " object at 0x" not in message


def test_a_multi_instance_input_that_is_none_is_an_incident(harness):
    _deploy(harness, "mi_none.bpmn")
    instance = harness.start("mi_none", {"items": None})
    assert instance.status == InstanceStatus.ERROR
    incident = harness.session.scalars(select(Incident).where(Incident.instance_id == instance.id)).one()
    assert incident.element_id == "each" and incident.error


def test_a_failing_first_step_of_a_timer_start_is_an_incident_and_the_schedule_advances(harness, clock):
    clock.set(datetime(2026, 1, 20, 10, 0, tzinfo=MSK))
    _deploy(harness, "timer_start_broken.bpmn")
    schedule = harness.session.scalars(select(ProcessSchedule)).one()
    first = schedule.next_fire_at
    clock.set(first + timedelta(minutes=1))
    assert start_scheduled(harness.factory, harness.services) == 1
    harness.session.expire_all()
    [instance] = harness.session.scalars(select(ProcessInstance)).all()
    assert instance.status == InstanceStatus.ERROR
    incident = harness.session.scalars(select(Incident).where(Incident.instance_id == instance.id)).one()
    assert "ZeroDivisionError" in incident.error or "division" in incident.error
    assert harness.session.get(ProcessSchedule, schedule.id).next_fire_at == first + timedelta(hours=12)


def test_an_instance_with_an_open_incident_is_not_shown_as_waiting(harness):
    harness.deploy("budget/huge_power.bpmn")
    instance = harness.start("huge_power")
    assert instance.status == InstanceStatus.ERROR
