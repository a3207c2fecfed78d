"""Fixtures of the hardening tests (issue 14): API tokens per demo user, the shipped processes."""

from __future__ import annotations

import pytest

from models.identity.accounts import create_api_token
from models.sales.funnels import ensure_default_funnels
from models.sales.routing import ensure_default_teams
from tests.engine.conftest import harness  # noqa: F401  (fixture)
from tests.tasks.conftest import FORMS, PROCESSES, deployed, start_callback  # noqa: F401  (fixtures)


@pytest.fixture
def settings_overrides(tmp_path) -> dict:
    return {"forms_dir": FORMS, "processes_dir": PROCESSES}


@pytest.fixture
def funnels(session) -> None:
    """The default funnels and sales teams (deals and leads need them)."""
    ensure_default_funnels(session)
    ensure_default_teams(session)
    session.commit()


@pytest.fixture
def tokens(session, demo_users) -> dict[str, str]:
    """An API token per demo login, for calls as that user."""
    made = {name: create_api_token(session, user, "тест") for name, user in demo_users.items()}
    session.commit()
    return made


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
