"""Fixtures for client feedback: the collaboration world (processes deployed) and a real SMTP server."""

from __future__ import annotations

import pytest

from tests.collaboration.conftest import FORMS, PROCESSES, World, world  # noqa: F401  (the same world)
from tests.tasks.conftest import smtp_port, smtp_server  # noqa: F401  (fixtures)


@pytest.fixture
def settings_overrides(smtp_port) -> dict:  # noqa: F811
    return {"forms_dir": FORMS, "processes_dir": PROCESSES, "base_url": "https://crm.example.ru",
            "smtp_url": f"smtp://127.0.0.1:{smtp_port}"}
