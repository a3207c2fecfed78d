"""A Diadoc-format EDO client (Kontur.Diadoc HTTP API, JSON).

- ``GET /GetMyOrganizations`` → our box (``Organizations[].Boxes[].BoxId``);
- ``GET /V3/GetCounteragents?myBoxId=…&counteragentStatus=IsMyCounteragent`` → the client's box
  by INN (``Counteragents[].Organization.Inn`` / ``.Boxes[].BoxId``);
- ``POST /V3/PostMessage?operationId=…`` with a ``MessageToPost`` (``FromBoxId``, ``ToBoxId``,
  ``DocumentAttachments[]`` with ``SignedContent.Content`` in base64, ``TypeNamedId``,
  ``Function``, ``Version``, ``CustomDocumentId``, ``NeedRecipientSignature``) → 200 with the
  ``Message`` (``MessageId``, ``Entities[].EntityId``), **204 with ``Retry-After``** (the server
  is busy: try later), **409** (this ``operationId`` was already used: the message exists — a
  retry never sends twice). The ``operationId`` is a uuid stored once on the sending row
  (``DocumentSending.operation_id``) and goes as the ``Idempotency-Key`` header too, so a
  gateway in front of the EDO that knows only the header de-duplicates a retry as well;
- ``GET /V8/GetNewEvents?boxId=…&afterIndexKey=…`` → ``Events[]`` (at most 100 a call), each
  with ``IndexKey`` and ``Entities[].DocumentInfo`` carrying ``CustomDocumentId``, ``MessageId``
  and the ``Docflow`` (``IsFinished``, ``RecipientReceipt``, ``RecipientResponse.Status``,
  ``DocflowStatus.PrimaryStatus.Severity``). Statuses are read from those fields, never from
  ``StatusText``.

``Authorization: Bearer <CRM_EDO_TOKEN>``; every call passes a timeout; failures are sorted:
``EdoRetryLater`` (204), ``EdoError`` with ``kind`` ``retry`` (timeout, connection, 429, 5xx),
``auth`` (401/403 — people must fix the token: an incident) or ``permanent`` (other 4xx).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

import requests

log = logging.getLogger(__name__)
DEFAULT_RETRY_AFTER = 60


class EdoError(Exception):
    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind  # retry | auth | permanent


class EdoRetryLater(Exception):
    def __init__(self, seconds: int) -> None:
        super().__init__(f"ЭДО занято, повтор через {seconds} с")
        self.seconds = seconds


@dataclass(frozen=True)
class Posted:
    message_id: str | None
    entity_id: str | None
    duplicate: bool  # 409: the operationId was used before — the message already exists


class EdoClient(Protocol):
    def my_box_id(self) -> str: ...
    def counteragent_box(self, my_box: str, inn: str) -> str | None: ...
    def post_message(self, operation_id: str, message: dict[str, Any]) -> Posted: ...
    def new_events(self, box_id: str, after_index_key: str | None) -> list[dict[str, Any]]: ...


class HttpEdoClient:
    def __init__(self, base_url: str, token: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def _call(
        self, method: str, path: str, params: dict | None = None, body: dict | None = None,
        idempotency_key: str | None = None,
    ) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        try:
            response = requests.request(
                method,
                f"{self.base_url}{path}",
                params=params,
                json=body,
                headers=headers,
                timeout=self.timeout,
            )
        except requests.Timeout:
            raise EdoError(f"ЭДО не ответило за {self.timeout:g} с", "retry") from None
        except requests.ConnectionError:
            raise EdoError("ЭДО недоступно (нет соединения)", "retry") from None
        status = response.status_code
        if status in (401, 403):
            raise EdoError(f"ЭДО отказало в доступе ({status}): проверьте токен CRM_EDO_TOKEN", "auth")
        if status == 429 or status >= 500:
            raise EdoError(f"ЭДО вернуло {status}", "retry")
        return response

    @staticmethod
    def _json(response: requests.Response) -> dict[str, Any]:
        if response.status_code >= 400:
            raise EdoError(f"ЭДО вернуло {response.status_code}: {response.text[:300]}", "permanent")
        try:
            data = response.json()
        except ValueError:
            raise EdoError("ЭДО ответило не JSON", "retry") from None
        return data if isinstance(data, dict) else {}

    def my_box_id(self) -> str:
        data = self._json(self._call("GET", "/GetMyOrganizations"))
        for organization in data.get("Organizations") or []:
            for box in organization.get("Boxes") or []:
                if box.get("BoxId"):
                    return str(box["BoxId"])
        raise EdoError("В ЭДО нет нашего ящика (GetMyOrganizations пуст)", "permanent")

    def counteragent_box(self, my_box: str, inn: str) -> str | None:
        data = self._json(
            self._call(
                "GET", "/V3/GetCounteragents", {"myBoxId": my_box, "counteragentStatus": "IsMyCounteragent"}
            )
        )
        for item in data.get("Counteragents") or []:
            organization = item.get("Organization") or {}
            if organization.get("Inn") == inn:
                boxes = organization.get("Boxes") or []
                return str(boxes[0]["BoxId"]) if boxes else None
        return None

    def post_message(self, operation_id: str, message: dict[str, Any]) -> Posted:
        response = self._call(
            "POST", "/V3/PostMessage", {"operationId": operation_id}, message, idempotency_key=operation_id
        )
        if response.status_code == 204:
            try:
                seconds = int(response.headers.get("Retry-After", DEFAULT_RETRY_AFTER))
            except ValueError:
                seconds = DEFAULT_RETRY_AFTER
            raise EdoRetryLater(max(1, seconds))
        if response.status_code == 409:
            return Posted(None, None, duplicate=True)
        data = self._json(response)
        entities = data.get("Entities") or []
        return Posted(
            data.get("MessageId"), entities[0].get("EntityId") if entities else None, duplicate=False
        )

    def new_events(self, box_id: str, after_index_key: str | None) -> list[dict[str, Any]]:
        params = {"boxId": box_id}
        if after_index_key:
            params["afterIndexKey"] = after_index_key
        data = self._json(self._call("GET", "/V8/GetNewEvents", params))
        return list(data.get("Events") or [])


def client_from_settings(settings: Any) -> HttpEdoClient | None:
    """The HTTP client, or None while ``CRM_EDO_URL`` is not set (EDO sending then waits, saying so)."""
    url = getattr(settings, "edo_url", "") if settings is not None else ""
    if not url:
        return None
    return HttpEdoClient(url, getattr(settings, "edo_token", ""), getattr(settings, "edo_timeout", 10.0))


TYPE_NAMED_IDS = {
    "contract": "Contract",
    "offer": "Nonformalized",
    "addendum": "SupplementaryAgreement",
    "invoice": "Nonformalized",
    "act": "Nonformalized",
    "letter": "Nonformalized",
}


def docflow_status(docflow: dict[str, Any]) -> str | None:
    """delivered | signed | rejected from a ``Docflow``: ``IsFinished``, the response, the severity."""
    response = (docflow.get("RecipientResponse") or {}).get("Status") or ""
    severity = ((docflow.get("DocflowStatus") or {}).get("PrimaryStatus") or {}).get("Severity") or ""
    if docflow.get("IsFinished"):
        if response == "WithRecipientSignature":
            return "signed"
        if response == "WithRecipientRejection" or severity == "Error":
            return "rejected"
        return "signed" if severity == "Success" else None
    if docflow.get("RecipientReceipt") or severity in ("Info", "Success"):
        return "delivered"
    return None
