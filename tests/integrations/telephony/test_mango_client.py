"""The Mango client against a fake API: timeouts and outages are retryable, a refused key or a failed
command is permanent, a malformed answer is reported, the unconfigured stand-in refuses."""

from __future__ import annotations

import time

import pytest

from integrations.telephony.mango import MangoClient, TelephonyError, UnconfiguredTelephony
from tests.integrations.http_fake import FakeServer

JSON = {"Content-Type": "application/json"}


def _client(server, timeout=2.0):
    return MangoClient(server.url, "key", "salt", timeout=timeout)


@pytest.mark.nodb
@pytest.mark.parametrize(
    "answer, retryable, words",
    [
        ((401, JSON, b'{"result": 3102}'), False, "подпись"),
        ((503, JSON, b"busy"), True, "временно"),
        ((200, JSON, b"<html>not json"), True, "не в формате JSON"),
        ((200, JSON, b'{"result": 4001}'), False, "код 4001"),
    ],
)
def test_failures_are_sorted(answer, retryable, words):
    with FakeServer(lambda seen: answer) as server, pytest.raises(TelephonyError) as caught:
        _client(server).callback("cmd-1", "101", "74951234567")
    assert caught.value.retryable is retryable and words in caught.value.message


@pytest.mark.nodb
def test_a_slow_pbx_is_a_retryable_timeout():
    def slow(seen):
        time.sleep(1.5)
        return 200, JSON, b'{"result": 1000}'

    with FakeServer(slow) as server, pytest.raises(TelephonyError) as caught:
        _client(server, timeout=0.3).callback("cmd-2", "101", "74951234567")
    assert caught.value.retryable and "не ответила" in caught.value.message


@pytest.mark.nodb
def test_unconfigured_stand_in_refuses():
    with pytest.raises(TelephonyError) as caught:
        UnconfiguredTelephony().check()
    assert "не настроена" in caught.value.message and not caught.value.retryable
