"""Fixtures of the client tests: a fake DaData-compatible registry on 127.0.0.1, card factories.

The registry is a real ``http.server`` on a free port answering ``findById/party`` in the
real API's format; ``registry.slow`` makes it sleep longer than the client's timeout.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from models.clients.cards import Client, Contact
from models.clients.requisites import make_inn10, make_inn12, make_kpp, make_ogrn, make_ogrnip
from models.platform.audit import acting_as

REGISTRY_TOKEN = "test-registry-token"

SBER = {
    "value": "ПАО СБЕРБАНК",
    "unrestricted_value": "ПАО СБЕРБАНК",
    "data": {
        "inn": "7707083893", "kpp": "773601001", "ogrn": "1027700132195", "type": "LEGAL",
        "name": {"full_with_opf": "ПУБЛИЧНОЕ АКЦИОНЕРНОЕ ОБЩЕСТВО «СБЕРБАНК РОССИИ»",
                 "short_with_opf": "ПАО СБЕРБАНК"},
        "address": {"value": "г Москва, ул Вавилова, д 19"},
        "management": {"name": "Греф Герман Оскарович", "post": "ПРЕЗИДЕНТ, ПРЕДСЕДАТЕЛЬ ПРАВЛЕНИЯ"},
        "state": {"status": "ACTIVE", "actuality_date": 1700000000000},
    },
}


class FakeRegistry:
    """State of the fake registry: known parties by INN, delay, recorded requests."""

    def __init__(self) -> None:
        self.parties: dict[str, dict[str, Any]] = {"7707083893": SBER}
        self.delay = 0.0
        self.status = 200
        self.requests: list[dict[str, Any]] = []
        self.url = ""

    def add(self, inn: str, name: str, status: str = "ACTIVE", kpp: str | None = "771001001",
            ogrn: str | None = None, party_type: str = "LEGAL") -> None:
        self.parties[inn] = {"value": f"ООО «{name}»", "unrestricted_value": f"ООО «{name}»", "data": {
            "inn": inn, "kpp": kpp, "ogrn": ogrn, "type": party_type,
            "name": {"full_with_opf": f"ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ «{name}»",
                     "short_with_opf": f"ООО «{name}»"},
            "address": {"value": "г Москва, ул Тверская, д 1"},
            "management": {"name": "Иванов Иван Иванович", "post": "ГЕНЕРАЛЬНЫЙ ДИРЕКТОР"},
            "state": {"status": status}}}


def _handler(state: FakeRegistry) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            state.requests.append({"path": self.path, "auth": self.headers.get("Authorization"),
                                   "body": body})
            if state.delay:
                time.sleep(state.delay)
            if self.path != "/suggestions/api/4_1/rs/findById/party":
                self._send(404, {"message": "not found"})
            elif self.headers.get("Authorization") != f"Token {REGISTRY_TOKEN}":
                self._send(403, {"message": "Forbidden"})
            elif state.status != 200:
                self._send(state.status, {"message": "error"})
            else:
                party = state.parties.get(str(body.get("query")))
                self._send(200, {"suggestions": [party] if party else []})

        def _send(self, status: int, payload: dict) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def registry() -> Iterator[FakeRegistry]:
    """A DaData-compatible registry on 127.0.0.1 (port chosen by the OS)."""
    state = FakeRegistry()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    server.block_on_close = False  # a deliberately slow answer must not hold up the teardown
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def settings_overrides(request: pytest.FixtureRequest) -> dict:
    """Point the app at the fake registry when a test uses it; short registry timeout."""
    overrides: dict[str, Any] = {"extra": {"CRM_REGISTRY_TIMEOUT": 0.5}}
    if "registry" in request.fixturenames:
        state = request.getfixturevalue("registry")
        overrides.update(registry_url=state.url, registry_token=REGISTRY_TOKEN)
    return overrides


_RNG = random.Random(4)


def company_values(name: str = "Ромашка", **overrides: Any) -> dict[str, Any]:
    """Valid input of a company card (fresh checksum-valid INN and OGRN each call)."""
    values = {"kind": "company", "full_name": f"Общество с ограниченной ответственностью «{name}»",
              "short_name": f"ООО «{name}»", "inn": make_inn10(_RNG), "kpp": make_kpp(),
              "ogrn": make_ogrn(_RNG), "phones": "", "emails": "", "status": "active"}
    values.update(overrides)
    return values


def entrepreneur_values(name: str = "Иванов Иван", **overrides: Any) -> dict[str, Any]:
    values = {"kind": "entrepreneur", "full_name": f"ИП {name}", "inn": make_inn12(_RNG),
              "ogrn": make_ogrnip(_RNG), "status": "active"}
    values.update(overrides)
    return values


def make_client(session, owner, name: str = "Ромашка", contacts: tuple[str, ...] = (),
                **fields: Any) -> Client:
    """A saved company owned by ``owner`` (audit actor: the owner)."""
    data = {"kind": "company", "full_name": f"Общество с ограниченной ответственностью «{name}»",
            "short_name": f"ООО «{name}»", "inn": make_inn10(_RNG), "kpp": make_kpp(),
            "ogrn": make_ogrn(_RNG), "owner_id": owner.id if owner else None}
    data.update(fields)
    with acting_as(owner.id if owner else None):
        client = Client(**data)
        for contact_name in contacts:
            client.contacts.append(Contact(full_name=contact_name))
        session.add(client)
        session.commit()
    return client
