"""A DaData-compatible company registry on 127.0.0.1 for tests (clients' «Заполнить по ИНН», site leads).

A real ``http.server`` on a port the OS chooses, answering ``findById/party`` in the real
API's format (``data.okved`` included); ``delay`` makes it slower than the client's timeout,
``status`` makes it fail. Import the ``registry`` fixture into a conftest to use it.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

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
        "okved": "64.19",
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
            ogrn: str | None = None, party_type: str = "LEGAL", okved: str | None = None) -> None:
        self.parties[inn] = {"value": f"ООО «{name}»", "unrestricted_value": f"ООО «{name}»", "data": {
            "inn": inn, "kpp": kpp, "ogrn": ogrn, "type": party_type,
            "name": {"full_with_opf": f"ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ «{name}»",
                     "short_with_opf": f"ООО «{name}»"},
            "address": {"value": "г Москва, ул Тверская, д 1"},
            "management": {"name": "Иванов Иван Иванович", "post": "ГЕНЕРАЛЬНЫЙ ДИРЕКТОР"},
            "state": {"status": status}, "okved": okved}}


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
