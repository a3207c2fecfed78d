"""How many workers and threads ``crm run`` starts comes from the environment, with a measured default.

Four threads a worker is the default because more contend for one interpreter lock (issue 15's web
bench: at eight, a request cost about a quarter more CPU); an operator may still choose otherwise.
"""

from __future__ import annotations

from models.platform.settings import Settings


def _settings(**env: str) -> Settings:
    return Settings.from_env({"CRM_SECRET_KEY": "x" * 32, **env})


def test_a_worker_serves_four_requests_at_once_unless_told_otherwise():
    settings = _settings()
    assert (settings.workers, settings.threads) == (1, 4)


def test_the_environment_sets_the_workers_and_their_threads():
    settings = _settings(CRM_WORKERS="2", CRM_THREADS="6")
    assert (settings.workers, settings.threads) == (2, 6)
