"""The remaining clients' failure sorting against small servers of ours: the Bot API (refused token,
flood control, a slow or malformed answer), IMAP (a server that never greets), 1С OData (a slow,
malformed or refusing base). Retryable failures go back to the outbox or the next job run; final ones
are reported once."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from integrations.imap.client import ImapReader, MailboxError, MailboxUrl
from integrations.onec.odata import ODataOneC, OneCError
from integrations.telegram.bot import BotError, HttpBot
from integrations.telegram.handlers import send
from models.platform.outbox import OutboxMessage
from tests.integrations.http_fake import FakeServer

JSON = {"Content-Type": "application/json"}


@pytest.mark.nodb
@pytest.mark.parametrize(
    "answer, retryable, words",
    [
        ((401, JSON, b'{"ok":false,"error_code":401,"description":"Unauthorized"}'), False, "токен"),
        (
            (
                429,
                JSON,
                b'{"ok":false,"error_code":429,"description":"Too Many Requests",'
                b'"parameters":{"retry_after":7}}',
            ),
            True,
            "7 с",
        ),
        ((502, {"Content-Type": "text/html"}, b"<html>Bad Gateway</html>"), True, "не в формате"),
        (
            (400, JSON, b'{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}'),
            False,
            "chat not found",
        ),
    ],
)
def test_bot_api_failures_are_sorted(answer, retryable, words):
    with FakeServer(lambda seen: answer) as server, pytest.raises(BotError) as caught:
        HttpBot(server.url, "t").call("sendMessage", {"chat_id": 1, "text": "x"})
    assert caught.value.retryable is retryable and words in caught.value.message


@pytest.mark.nodb
def test_a_slow_bot_api_times_out_and_a_blocked_chat_is_final_for_the_outbox():
    def slow(seen):
        time.sleep(1.2)
        return 200, JSON, b'{"ok":true,"result":{}}'

    with FakeServer(slow) as server, pytest.raises(BotError) as caught:
        HttpBot(server.url, "t", timeout=0.3).call("getMe", {})
    assert caught.value.retryable
    blocked = (
        403,
        JSON,
        b'{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}',
    )
    with FakeServer(lambda seen: blocked) as server:
        settings = type("S", (), {"telegram_token": "t", "telegram_api_url": server.url, "extra": {}})()
        row = OutboxMessage(kind="telegram.send", payload={"chat_id": 1, "text": "x"})
        assert "blocked" in send(row, settings)["error"]  # kept as the result, not retried ten times


@pytest.mark.nodb
def test_an_imap_server_that_never_greets_is_a_retryable_timeout():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True)
    thread.start()
    url = MailboxUrl.parse(f"imap://u:p@127.0.0.1:{listener.getsockname()[1]}/INBOX")
    with pytest.raises(MailboxError) as caught:
        ImapReader(url, timeout=0.5).fetch(0)
    listener.close()
    assert caught.value.retryable and "не ответил" in caught.value.message
    with pytest.raises(MailboxError):
        MailboxUrl.parse("http://not-imap/")


@pytest.mark.nodb
@pytest.mark.parametrize(
    "answer, retryable, words",
    [
        ((200, {"Content-Type": "text/html"}, b"<html>login</html>"), True, "не в формате OData"),
        ((200, JSON, b'{"odata.metadata": "x"}'), True, "нет списка value"),
        ((500, JSON, b'{"odata.error": {}}'), True, "временно"),
        ((401, {}, b""), False, "логин"),
        ((400, JSON, b'{"odata.error": {"message": {"value": "bad filter"}}}'), False, "bad filter"),
    ],
)
def test_odata_failures_are_sorted(answer, retryable, words):
    with FakeServer(lambda seen: answer) as server, pytest.raises(OneCError) as caught:
        ODataOneC(server.url, "u", "p").find_counterparty("7707083893", None)
    assert caught.value.retryable is retryable and words in caught.value.message


@pytest.mark.nodb
def test_a_slow_1c_times_out():
    def slow(seen):
        time.sleep(1.2)
        return 200, JSON, b'{"value": []}'

    with FakeServer(slow) as server, pytest.raises(OneCError) as caught:
        ODataOneC(server.url, "u", "p", timeout=0.3).check()
    assert caught.value.retryable and "не ответила" in caught.value.message
