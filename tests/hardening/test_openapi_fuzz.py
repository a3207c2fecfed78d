"""Schemathesis over our OpenAPI (issue 14): no input makes the API answer 5xx, every 4xx is JSON.

The bounded run is part of ``make test`` (a few examples per operation and generation mode, fixed
seed, both databases); ``make fuzz`` runs the same check with ``CRM_FUZZ_EXAMPLES`` examples per
operation and a random seed. Failures are collected over all operations instead of stopping at the
first one, so one run shows every defect; Hypothesis does not shrink them (shrinking a request
costs more than reading it).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from models.clients.cards import Client
from tests.hardening.conftest import bearer
from tests.hardening.openapi_gaps import fill_gaps

BOUNDED_EXAMPLES = 3
LONG_EXAMPLES = int(os.environ.get("CRM_FUZZ_EXAMPLES", "0") or 0)
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


@dataclass(frozen=True)
class Finding:
    """One answer that breaks the rules: the request and what came back."""

    operation: str
    status: int
    problem: str
    request: str

    def __str__(self) -> str:
        return f"{self.operation} → {self.status}: {self.problem}\n    {self.request}"


def _problem(status: int, content_type: str, body: bytes) -> str | None:
    """What is wrong with one answer, or None: 5xx never; a 4xx answers JSON with an error message."""
    if status >= 500:
        return "ошибка сервера"
    if 400 <= status < 500:
        if not content_type.startswith("application/json"):
            return f"4xx не JSON ({content_type})"
        text = body.decode("utf-8", "replace")
        if '"error"' not in text and '"message"' not in text:
            return f"4xx без сообщения: {text[:200]}"
    return None


def _run_operation(operation, mode: GenerationMode, token: str, examples: int, derandomize: bool,
                   findings: list[Finding], sent: list[int]) -> None:
    """Send ``examples`` generated requests to one operation and note the answers that break the rules."""

    @settings(max_examples=examples, deadline=None, database=None, derandomize=derandomize,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case) -> None:
        sent[0] += 1
        try:
            response = case.call(headers=bearer(token))
        except Exception as exc:  # TESTING propagates an unhandled error: that is the 500 we look for
            findings.append(Finding(operation.label, 500, f"{type(exc).__name__}: {exc}"[:300],
                                    case.as_curl_command(headers=bearer("…"))))
            return
        content_type = (response.headers.get("content-type") or [""])[0]
        problem = _problem(response.status_code, content_type, response.content)
        if problem:
            findings.append(Finding(operation.label, response.status_code, problem,
                                    case.as_curl_command(headers=bearer("…"))))

    with contextlib.suppress(Unsatisfiable):  # an operation without parameters has no negative cases
        run()


def _fuzz(app, token: str, examples: int, *, derandomize: bool) -> tuple[list[Finding], int]:
    """Run ``examples`` cases per operation and mode; the findings and how many requests were sent."""
    raw = app.test_client().get("/api/v1/openapi.json", headers=bearer(token)).get_json()
    fill_gaps(app, raw)
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = app  # requests go to the app through WSGI, as ``from_wsgi`` would set up
    findings: list[Finding] = []
    sent = [0]
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in MODES:
            _run_operation(operation, mode, token, examples, derandomize, findings, sent)
    return findings, sent[0]


@pytest.fixture
def records(session, demo_users, funnels) -> None:
    """A few rows, so the small ids the generator likes reach real records, not only 404."""
    for number, inn in enumerate(("7736050003", "7707083893")):
        session.add(Client(kind="company", full_name=f"ООО «Фазз {number}»", inn=inn,
                           owner=demo_users["manager"]))
    session.commit()


def test_openapi_bounded_fuzz_has_no_server_errors(app, tokens, records):
    findings, sent = _fuzz(app, tokens["admin"], BOUNDED_EXAMPLES, derandomize=True)
    assert sent > 0
    assert not findings, "\n".join(str(f) for f in findings)


@pytest.mark.fuzz
@pytest.mark.skipif(not LONG_EXAMPLES, reason="make fuzz: CRM_FUZZ_EXAMPLES задаёт число примеров")
@pytest.mark.parametrize("login_name", ["admin", "manager"])  # all rights, and a scoped role
def test_openapi_long_fuzz_has_no_server_errors(app, tokens, records, deployed, login_name):
    findings, sent = _fuzz(app, tokens[login_name], LONG_EXAMPLES, derandomize=False)
    print(f"schemathesis ({login_name}): {sent} запросов, {len(findings)} нарушений")
    assert not findings, "\n".join(str(f) for f in findings)


@pytest.mark.nodb
def test_the_rules_of_an_answer():
    """The check itself: what counts as a finding (so a quiet run means a clean API, not a blind check)."""
    assert _problem(500, "application/json", b'{"error": {"message": "x"}}') == "ошибка сервера"
    assert _problem(503, "text/html", b"") == "ошибка сервера"
    assert _problem(404, "text/html; charset=utf-8", b"<h1>Not Found</h1>").startswith("4xx не JSON")
    assert _problem(422, "application/json", b"{}").startswith("4xx без сообщения")
    assert _problem(422, "application/json", '{"error": {"message": "Неверный ИНН"}}'.encode()) is None
    assert _problem(201, "application/json", b"{}") is None
