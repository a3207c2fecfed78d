"""Fixtures for the inbox: a real SMTP server, the deployed demo process, task helpers."""

from __future__ import annotations

import socket
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from engine.bundle import Bundle
from engine.tables import HumanTask, TaskStatus
from models.platform.settings import PROJECT_ROOT
from web.engine_support import engine_services

PROCESSES = PROJECT_ROOT / "processes"
FORMS = PROJECT_ROOT / "forms"
GRACE = timedelta(minutes=30)


class _Collector:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_port() -> int:
    return _free_port()


@pytest.fixture
def smtp_server(smtp_port):
    """A real SMTP server on 127.0.0.1; ``.messages`` holds what it received."""
    collector = _Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    controller.collector = collector
    yield controller
    controller.stop()


@pytest.fixture
def settings_overrides(smtp_port, tmp_path) -> dict:
    return {
        "smtp_url": f"smtp://127.0.0.1:{smtp_port}",
        "escalation_grace": GRACE,
        "forms_dir": FORMS,
        "processes_dir": PROCESSES,
    }


@pytest.fixture
def deployed(app, session, clock):
    """The repository's processes deployed (``client_callback`` is the one tests use)."""
    engine_services(app).engine(session).deploy(Bundle.from_paths([PROCESSES], FORMS))
    session.commit()


def start_callback(
    app,
    session,
    clock,
    *,
    assignee: str | None,
    due_in: str = "PT4H",
    company: str = "ООО «Ромашка»",
    client_id: int | None = None,
) -> HumanTask:
    """Start «Перезвонить клиенту» like a web request would and return its open task."""
    engine = engine_services(app).engine(session)
    instance = engine.start(
        "client_callback",
        {"company": company, "assignee": assignee, "due_in": due_in},
        business_type="client" if client_id else None,
        business_id=client_id,
    )
    session.commit()
    return open_task(session, instance.id)


def open_task(session, instance_id: int) -> HumanTask:
    session.expire_all()
    rows = session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == TaskStatus.OPEN)
    ).all()
    assert len(rows) == 1, rows
    return rows[0]


def relogin(client, login_name: str):
    """Log out whoever is logged in, then log in as ``login_name``."""
    from tests.conftest import csrf_from, login

    page = client.get("/inbox/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_from(page)})
    return login(client, login_name)
