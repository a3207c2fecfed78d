"""Acceptance 2 (issue 14): scripts, conditions and timer expressions run within a budget.

A script that loops forever, eats memory or stores huge data becomes an incident with a
Russian message; the server keeps answering and writing meanwhile (a live server on the
app), and ``crm worker`` keeps firing other timers and stops on SIGTERM (a real process).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.tables import Incident, InstanceStatus, ProcessInstance
from models.identity.accounts import create_api_token
from tests.engine.conftest import BPMN

BUDGET = BPMN / "budget"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def settings_overrides() -> dict:
    return {"script_time_budget": 0.5, "script_memory_mb": 64, "process_data_kb": 1024}


def _incident(session, instance_id: int) -> Incident:
    session.expire_all()
    return session.scalars(select(Incident).where(Incident.instance_id == instance_id)).one()


def test_a_script_looping_forever_becomes_an_incident(harness):
    harness.deploy("budget/loop_script.bpmn")
    instance = harness.start("loop_script")
    assert instance.status == InstanceStatus.ERROR
    incident = _incident(harness.session, instance.id)
    assert incident.element_id == "spin"
    assert "превысил бюджет времени (0.5 с)" in incident.error


def test_a_condition_eating_memory_becomes_an_incident(harness):
    harness.deploy("budget/memory_hog.bpmn")
    instance = harness.start("memory_hog")
    assert instance.status == InstanceStatus.ERROR
    assert "превысил бюджет памяти (64 МБ)" in _incident(harness.session, instance.id).error


def test_a_timer_expression_building_a_huge_string_becomes_an_incident(harness):
    harness.deploy("budget/huge_power.bpmn")
    instance = harness.start("huge_power")
    assert instance.status == InstanceStatus.ERROR
    assert "повторение строки или списка" in _incident(harness.session, instance.id).error


def test_data_over_the_instance_limit_is_an_incident_and_not_stored(harness):
    harness.deploy("budget/big_data.bpmn")
    instance = harness.start("big_data")
    assert instance.status == InstanceStatus.ERROR
    assert "Данные процесса после скрипта больше допустимого" in _incident(harness.session, instance.id).error
    harness.session.refresh(instance)
    assert len(instance.state_json) < 200_000




def _post(url: str, token: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.status, json.loads(answer.read())


def test_the_server_keeps_answering_and_writing_while_a_script_spins(harness, demo_users, live_url):
    harness.deploy("budget/loop_script.bpmn", "timer_intermediate.bpmn")
    token = create_api_token(harness.session, demo_users["admin"], "тест")
    harness.session.commit()
    spinning: dict = {}

    def start_the_loop() -> None:
        spinning["answer"] = _post(f"{live_url}/api/v1/processes/loop_script/instances", token, {})

    thread = threading.Thread(target=start_the_loop)
    thread.start()
    time.sleep(0.1)  # the loop is running now (its budget is 0.5 s)
    with urllib.request.urlopen(f"{live_url}/healthz", timeout=10) as health:
        assert health.status == 200
    status, other = _post(f"{live_url}/api/v1/processes/timer_intermediate/instances", token, {})
    assert (status, other["status"]) == (201, "waiting")
    thread.join(timeout=30)
    status, looped = spinning["answer"]
    assert (status, looped["status"]) == (201, "error")
    assert "превысил бюджет времени" in _incident(harness.session, looped["id"]).error


def test_crm_worker_keeps_firing_other_timers_and_stops_on_sigterm(harness, database_url, tmp_path, clock):
    harness.deploy("budget/loop_after_timer.bpmn", "timer_intermediate.bpmn")
    clock.set(datetime.now(UTC) - timedelta(hours=1))  # both timers are long due for the worker
    loops = [harness.start("loop_after_timer").id for _ in range(3)]
    other = harness.start("timer_intermediate").id
    env = dict(os.environ, CRM_DATABASE_URL=database_url, CRM_SECRET_KEY="test-secret", CRM_ENV="test",
               CRM_INSTANCE_DIR=str(tmp_path), CRM_SCHEDULER_INTERVAL="0.2", CRM_SCRIPT_TIME_BUDGET="0.5",
               CRM_SMTP_URL="smtp://127.0.0.1:1", PYTHONPATH=str(ROOT))
    worker = subprocess.Popen([str(Path(sys.executable).parent / "crm"), "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        statuses: dict[int, str] = {}
        for _ in range(300):
            harness.session.expire_all()
            statuses = {i.id: i.status for i in harness.session.scalars(
                select(ProcessInstance).where(ProcessInstance.id.in_([*loops, other])))}
            if statuses[other] == InstanceStatus.COMPLETED and all(
                    statuses[i] == InstanceStatus.ERROR for i in loops):
                break
            time.sleep(0.1)
        assert statuses[other] == InstanceStatus.COMPLETED
        assert all(statuses[i] == InstanceStatus.ERROR for i in loops)
        assert all("превысил бюджет времени" in _incident(harness.session, i).error for i in loops)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
