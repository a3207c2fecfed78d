"""A small HTTP server of ours on 127.0.0.1 for the integrations' tests, answering as the real system.

``FakeServer(handler)`` runs a threading server; ``handler(request)`` returns
``(status, headers, body)`` and may sleep to simulate a timeout. Every request is kept in
``requests`` (method, path, headers, body) for the test to assert on.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Answer = tuple[int, dict[str, str], bytes]


class FakeServer:
    def __init__(self, handler: Callable[[Seen], Answer]) -> None:
        self.handler = handler
        self.requests: list[Seen] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(
                    self.command, self.path, dict(self.headers), self.rfile.read(length) if length else b""
                )
                fake.requests.append(seen)
                try:
                    status, headers, body = fake.handler(seen)
                except (BrokenPipeError, ConnectionResetError):
                    return
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
