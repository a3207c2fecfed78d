"""A small Diadoc-format EDO server of ours on 127.0.0.1 for tests (JSON bodies, the real paths).

It keeps messages by idempotency key — the ``Idempotency-Key`` header, else the ``operationId``
(a repeat answers 409, so a retry after a lost answer creates no second message) — can answer
204 with ``Retry-After``, be slow on the first post (to make the client time out after the
message was stored), and refuse a wrong token with 401. ``deliver``/``sign``/``reject`` add the
events a recipient's actions produce, read by ``GET /V8/GetNewEvents`` after ``afterIndexKey``.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TOKEN = "edo-test-token"
OUR_BOX = "box-ours@diadoc.ru"


class FakeEdo:
    def __init__(self) -> None:
        self.messages: dict[str, dict] = {}  # operationId → stored message
        self.posts = 0
        self.keys: list[str] = []  # the Idempotency-Key header of every post, in order
        self.events: list[dict] = []
        self.counteragents: dict[str, str] = {}  # INN → box
        self.busy_once: int | None = None  # Retry-After seconds for the next post
        self.slow_first_post = 0.0
        self.token = TOKEN
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeEdo:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _event(self, message: dict, docflow: dict) -> None:
        with self.lock:
            index = f"idx-{len(self.events) + 1:06d}"
            entity = message["Entities"][0]
            self.events.append(
                {
                    "EventId": str(uuid.uuid4()),
                    "IndexKey": index,
                    "MessageId": message["MessageId"],
                    "Timestamp": time.time(),
                    "Entities": [
                        {
                            "EntityId": entity["EntityId"],
                            "EntityType": "Attachment",
                            "DocumentInfo": {
                                "MessageId": message["MessageId"],
                                "EntityId": entity["EntityId"],
                                "CustomDocumentId": entity["CustomDocumentId"],
                                "Docflow": docflow,
                            },
                        }
                    ],
                }
            )

    def only_message(self) -> dict:
        [message] = self.messages.values()
        return message

    def deliver(self, message: dict) -> None:
        self._event(
            message,
            {
                "IsFinished": False,
                "RecipientReceipt": {"Delivered": True},
                "DocflowStatus": {"PrimaryStatus": {"Severity": "Info", "StatusText": "Ожидается подпись"}},
            },
        )

    def sign(self, message: dict) -> None:
        self._event(
            message,
            {
                "IsFinished": True,
                "RecipientReceipt": {"Delivered": True},
                "RecipientResponse": {"Status": "WithRecipientSignature"},
                "DocflowStatus": {
                    "PrimaryStatus": {"Severity": "Success", "StatusText": "Подписан контрагентом"}
                },
            },
        )

    def reject(self, message: dict) -> None:
        self._event(
            message,
            {
                "IsFinished": True,
                "RecipientResponse": {"Status": "WithRecipientRejection"},
                "DocflowStatus": {
                    "PrimaryStatus": {
                        "Severity": "Error",
                        "StatusText": "Отказано",
                        "StatusHint": "Не согласны с суммой",
                    }
                },
            },
        )

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                return

            def _send(self, status: int, body: dict | None = None, headers: dict | None = None) -> None:
                data = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                if body is not None:
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _authorised(self) -> bool:
                if self.headers.get("Authorization") != f"Bearer {fake.token}":
                    self._send(401, {"Message": "Unauthorized"})
                    return False
                return True

            def do_GET(self) -> None:
                if not self._authorised():
                    return
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/GetMyOrganizations":
                    self._send(
                        200,
                        {
                            "Organizations": [
                                {
                                    "OrgId": "org-1",
                                    "Inn": "7700000000",
                                    "FullName": "Брокер",
                                    "Boxes": [{"BoxId": OUR_BOX, "Title": "Брокер"}],
                                }
                            ]
                        },
                    )
                elif url.path == "/V3/GetCounteragents":
                    items = [
                        {
                            "IndexKey": inn,
                            "CurrentStatus": "IsMyCounteragent",
                            "Organization": {"Inn": inn, "Boxes": [{"BoxId": box}]},
                        }
                        for inn, box in fake.counteragents.items()
                    ]
                    self._send(200, {"TotalCount": len(items), "Counteragents": items})
                elif url.path == "/V8/GetNewEvents":
                    after = query.get("afterIndexKey")
                    with fake.lock:
                        events = [e for e in fake.events if after is None or e["IndexKey"] > after][:100]
                    self._send(200, {"Events": events, "TotalCount": len(events)})
                else:
                    self._send(404, {"Message": "Not found"})

            def do_POST(self) -> None:
                if not self._authorised():
                    return
                url = urlsplit(self.path)
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
                if url.path != "/V3/PostMessage":
                    self._send(404, {"Message": "Not found"})
                    return
                query = parse_qs(url.query)
                operation = self.headers.get("Idempotency-Key") or query.get("operationId", [""])[0]
                with fake.lock:
                    fake.posts += 1
                    fake.keys.append(self.headers.get("Idempotency-Key") or "")
                    if fake.busy_once is not None:
                        seconds, fake.busy_once = fake.busy_once, None
                        self._send(204, None, {"Retry-After": str(seconds)})
                        return
                    if operation in fake.messages:
                        self._send(409, {"Message": "Operation already performed"})
                        return
                    attachment = body["DocumentAttachments"][0]
                    message = {
                        "MessageId": str(uuid.uuid4()),
                        "FromBoxId": body["FromBoxId"],
                        "ToBoxId": body["ToBoxId"],
                        "Entities": [
                            {
                                "EntityId": str(uuid.uuid4()),
                                "EntityType": "Attachment",
                                "CustomDocumentId": attachment.get("CustomDocumentId"),
                                "TypeNamedId": attachment.get("TypeNamedId"),
                                "Content": attachment["SignedContent"]["Content"],
                            }
                        ],
                    }
                    fake.messages[operation] = message
                    slow, fake.slow_first_post = fake.slow_first_post, 0.0
                if slow:
                    time.sleep(slow)
                self._send(200, message)

        return Handler
