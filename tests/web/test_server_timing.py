"""``CRM_SERVER_TIMING``: the header the HTTP load benchmark reads its server CPU from."""

from __future__ import annotations

import re

import pytest

from tests.conftest import login

TIMING = re.compile(r'^cpu;dur=(\d+\.\d\d), app;dur=(\d+\.\d\d), sql;desc="statements";dur=(\d+)$')


@pytest.mark.parametrize("settings_overrides", [{"server_timing": True}])
def test_every_answer_says_its_cpu_wall_time_and_statements(client, demo_users):
    login(client, "manager")
    answer = client.get("/inbox/")
    assert answer.status_code == 200
    cpu, wall, statements = TIMING.match(answer.headers["Server-Timing"]).groups()
    assert float(cpu) > 0 and float(wall) > 0
    assert int(statements) >= 2  # the session's user and the inbox's own queries at least
    assert "Server-Timing" in client.get("/healthz").headers


def test_off_by_default(client, demo_users):
    login(client, "manager")
    assert "Server-Timing" not in client.get("/inbox/").headers
