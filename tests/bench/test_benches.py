"""Every benchmark, on a tiny size: it passes its own result checks, and fails when a result is spoiled.

A benchmark that prints figures for wrong work is worse than none, so each one checks what it
did (premiums, counts, hits, rows) and stops with «неверный результат» otherwise. Here each runs
twice in its own process on SQLite: as is (exit 0), and with ``CRM_BENCH_SABOTAGE=1``, under
which it spoils one result before its check (``bench.common.sabotaged``) and must exit non-zero
naming the wrong result. The full sizes and PostgreSQL are ``make bench``'s.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

TINY = {
    "clients": ["--rows", "300", "--import-rows", "300", "--queries", "5", "--db", "sqlite"],
    "contracts": ["--clients", "50", "--contracts", "200", "--due", "10", "--skip-postgres"],
    "deal_search": ["--sizes", "1000,3000", "--repeat", "2", "--skip-postgres"],
    "discounts": ["--clients", "50", "--per-year", "2", "--requests", "5", "--skip-postgres"],
    "documents": ["--docs", "3", "--pdfs", "1"],
    "engine": ["--instances", "10", "--rounds", "1", "--no-postgres"],
    "inbox": ["--rows", "8000", "--repeats", "3", "--only", "sqlite"],
    "leads": ["--leads", "10", "--threads", "2", "--skip-postgres"],
    "person_duplicates": ["--people", "300"],
    "reports": ["--deals", "2000", "--activities", "5000", "--runs", "2", "--db", "sqlite"],
    "search": ["--rows", "2000", "--db", "sqlite", "--repeat", "2", "--reload"],
    "simulation": ["--cases", "20", "--rounds", "1"],
    "web": ["--rows", "2000", "--users", "3", "--seconds", "4", "--db", "sqlite"],
}


def _run(name: str, sabotage: bool) -> subprocess.CompletedProcess:
    env = {**os.environ, "CRM_BENCH_SABOTAGE": "1" if sabotage else "0"}
    return subprocess.run([sys.executable, "-m", f"bench.{name}", *TINY[name]], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def test_every_benchmark_is_covered():
    shipped = {p.stem for p in (ROOT / "bench").glob("*.py") if not p.stem.startswith("_")} - {"common"}
    assert shipped == set(TINY)


@pytest.mark.nodb
@pytest.mark.parametrize("name", sorted(TINY))
def test_benchmark_checks_its_results_and_fails_on_a_spoiled_one(name):
    right = _run(name, sabotage=False)
    assert right.returncode == 0, right.stdout[-2000:] + right.stderr[-3000:]
    assert "неверный результат" not in right.stdout + right.stderr
    spoiled = _run(name, sabotage=True)
    assert spoiled.returncode != 0, spoiled.stdout[-2000:]
    assert "неверный результат" in spoiled.stdout + spoiled.stderr, spoiled.stderr[-3000:]


def test_the_engine_benchs_baseline_is_the_librarys_own_workflow():
    """The fair baseline and the floor are bare SpiffWorkflow: a restored state is the library's
    ``BpmnWorkflow``, not the engine's faster ``CrmWorkflow``, whose walks are part of what the bench
    measures (the engine restores its own class)."""
    from SpiffWorkflow.bpmn import BpmnWorkflow

    from bench._engine_runners import Baseline
    from bench.engine import LEAD
    from engine.serialization import workflow_from_state
    from engine.task_walk import CrmWorkflow

    baseline = Baseline()
    state = baseline._start(LEAD, 0)
    _, workflow = baseline._complete(LEAD, state, 0)
    assert type(workflow) is BpmnWorkflow and workflow.is_completed()
    assert type(workflow_from_state(state, *baseline.specs[LEAD.key])) is CrmWorkflow
