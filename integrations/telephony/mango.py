"""Mango Office VPBX API («API Виртуальной АТС», version 1): signatures, the client and its stand-in.

The format, as Mango documents it: every request in both directions is an
``application/x-www-form-urlencoded`` POST with three fields — ``vpbx_api_key`` (the
VPBX's unique code), ``json`` (the payload) and ``sign`` = hex SHA-256 of
``vpbx_api_key + json + vpbx_api_salt``. The PBX posts events to our
``…/events/call``, ``…/events/summary`` and ``…/events/recording``; we call
``/vpbx/commands/callback`` (click-to-call: the PBX rings the manager's extension, then
the number) and ``/vpbx/queries/recording/post`` (``action: download`` answers with the
file or a redirect to it).

Calls pass a timeout, never log the salt, and sort failures into retryable (timeout,
connection, 429, 5xx) and permanent (401/403, other 4xx) ones. With no
``CRM_MANGO_URL`` the stand-in refuses every call with «не настроено».
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any, Protocol

import requests

log = logging.getLogger(__name__)
DEFAULT_TIMEOUT = 10.0
CALLBACK_PATH = "/vpbx/commands/callback"
RECORDING_PATH = "/vpbx/queries/recording/post"
CHECK_PATH = "/vpbx/config/users/request"
MAX_RECORDING = 200 * 1024 * 1024


class TelephonyError(Exception):
    def __init__(self, message: str, retryable: bool) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable


def sign(api_key: str, payload: str, salt: str) -> str:
    """Mango's signature of one request: sha256(vpbx_api_key + json + vpbx_api_salt)."""
    return hashlib.sha256((api_key + payload + salt).encode("utf-8")).hexdigest()


def signature_valid(api_key: str, salt: str, form: dict[str, str]) -> bool:
    """Whether a posted form carries our key and a correct signature (compared in constant time)."""
    if not api_key or not salt:
        return False
    given_key, payload, given = form.get("vpbx_api_key", ""), form.get("json", ""), form.get("sign", "")
    return hmac.compare_digest(given_key, api_key) and hmac.compare_digest(
        given, sign(api_key, payload, salt)
    )


def signed_form(api_key: str, salt: str, payload: dict[str, Any]) -> dict[str, str]:
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return {"vpbx_api_key": api_key, "sign": sign(api_key, text, salt), "json": text}


class Telephony(Protocol):
    """What the CRM needs from a PBX."""

    def callback(self, command_id: str, extension: str, number: str) -> None:
        """Ring ``extension``, then connect it to ``number``."""

    def recording(self, recording_id: str) -> bytes:
        """The recording's audio."""

    def check(self) -> str:
        """A Russian line saying the PBX answered; raises ``TelephonyError``."""


class MangoClient:
    """The real client of the Mango Office VPBX API."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        salt: str,
        timeout: float = DEFAULT_TIMEOUT,
        http: requests.Session | None = None,
    ) -> None:
        self.base = base_url.rstrip("/")
        self.api_key, self.salt, self.timeout = api_key, salt, timeout
        self.http = http or requests.Session()

    def _post(self, path: str, payload: dict[str, Any], **kwargs: Any) -> requests.Response:
        try:
            response = self.http.post(
                self.base + path,
                data=signed_form(self.api_key, self.salt, payload),
                timeout=self.timeout,
                **kwargs,
            )
        except requests.Timeout:
            raise TelephonyError(f"АТС не ответила за {self.timeout:g} с", retryable=True) from None
        except requests.RequestException as exc:
            log.warning("mango unreachable (%s): %s", self.base, type(exc).__name__)
            raise TelephonyError("АТС недоступна", retryable=True) from None
        status = response.status_code
        if status in (401, 403):
            raise TelephonyError(
                "АТС отклонила ключ или подпись (CRM_MANGO_API_KEY / CRM_MANGO_API_SALT)", retryable=False
            )
        if status == 429 or status >= 500:
            raise TelephonyError(f"АТС временно не отвечает (код {status})", retryable=True)
        if status >= 400:
            raise TelephonyError(f"АТС отказала в запросе (код {status})", retryable=False)
        return response

    def _result(self, response: requests.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            raise TelephonyError("АТС ответила не в формате JSON", retryable=True) from None
        if not isinstance(body, dict):
            raise TelephonyError("АТС ответила не в формате API", retryable=True)
        result = body.get("result")
        if result is not None and int(result) != 1000:  # 1000: «действие успешно выполнено»
            raise TelephonyError(f"АТС не выполнила команду (код {result})", retryable=False)
        return body

    def callback(self, command_id: str, extension: str, number: str) -> None:
        payload = {"command_id": command_id, "from": {"extension": extension}, "to_number": number}
        self._result(self._post(CALLBACK_PATH, payload))

    def recording(self, recording_id: str) -> bytes:
        response = self._post(
            RECORDING_PATH, {"recording_id": recording_id, "action": "download"}, allow_redirects=True
        )
        if response.headers.get("Content-Type", "").startswith("application/json"):
            self._result(response)
            raise TelephonyError("АТС не отдала запись", retryable=True)
        if len(response.content) > MAX_RECORDING:
            raise TelephonyError("Запись больше 200 МБ", retryable=False)
        return response.content

    def check(self) -> str:
        body = self._result(self._post(CHECK_PATH, {}))
        users = body.get("users")
        return f"АТС ответила: сотрудников {len(users)}" if isinstance(users, list) else "АТС ответила"


class UnconfiguredTelephony:
    """The stand-in when ``CRM_MANGO_URL`` is empty: nothing is dialled or downloaded."""

    def callback(self, command_id: str, extension: str, number: str) -> None:
        raise TelephonyError("Телефония не настроена (CRM_MANGO_URL)", retryable=False)

    def recording(self, recording_id: str) -> bytes:
        raise TelephonyError("Телефония не настроена (CRM_MANGO_URL)", retryable=False)

    def check(self) -> str:
        raise TelephonyError("Телефония не настроена (CRM_MANGO_URL)", retryable=False)


def telephony_from_settings(settings: Any) -> Telephony:
    if not getattr(settings, "mango_url", "") or not getattr(settings, "mango_api_key", ""):
        return UnconfiguredTelephony()
    timeout = float((getattr(settings, "extra", None) or {}).get("CRM_MANGO_TIMEOUT", DEFAULT_TIMEOUT))
    return MangoClient(settings.mango_url, settings.mango_api_key, settings.mango_api_salt, timeout=timeout)
