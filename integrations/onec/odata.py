"""1С:Предприятие over its standard OData REST interface (``…/odata/standard.odata``), and its stand-in.

Objects are addressed as 1С publishes them: ``Catalog_Контрагенты`` (``Ref_Key``,
``DataVersion``, ``Description``, ``НаименованиеПолное``, ``ИНН``, ``КПП``),
``Document_СчетНаОплатуПокупателю`` (``Date``, ``Контрагент_Key``, ``СуммаДокумента``,
``Комментарий``, tabular part ``Товары``), ``Document_ПоступлениеНаРасчетныйСчет`` (incoming
payments: ``Number``, ``Date``, ``Контрагент_Key``, ``СуммаДокумента``,
``ДоговорКонтрагента`` expanded for its ``Номер``, ``Posted``). Every call is
``?$format=json`` with HTTP Basic auth and a timeout; a single object is
``Entity(guid'…')``. Failures: timeouts, connection errors and 5xx are retryable, 401/403 is
a refused account, a body that is not 1С's JSON is malformed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol
from urllib.parse import quote

import requests

DEFAULT_TIMEOUT = 20.0
COUNTERPARTIES = "Catalog_Контрагенты"
INVOICES = "Document_СчетНаОплатуПокупателю"
PAYMENTS = "Document_ПоступлениеНаРасчетныйСчет"


class OneCError(Exception):
    def __init__(self, message: str, retryable: bool = True, status: int | None = None) -> None:
        super().__init__(message)
        self.message, self.retryable, self.status = message, retryable, status


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class OneC(Protocol):
    def find_counterparty(self, inn: str, kpp: str | None) -> dict | None: ...

    def counterparty(self, ref: str) -> dict | None: ...

    def create_counterparty(self, values: dict) -> dict: ...

    def update_counterparty(self, ref: str, values: dict) -> dict: ...

    def invoice(self, ref: str) -> dict | None: ...

    def create_invoice(self, values: dict) -> dict: ...

    def payments_since(self, since: datetime) -> list[dict]: ...

    def check(self) -> str: ...


class ODataOneC:
    def __init__(self, base_url: str, user: str, password: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.base = base_url.rstrip("/") + "/"
        self.timeout = timeout
        self.http = requests.Session()
        self.http.auth = (user, password)
        self.http.headers.update({"Accept": "application/json"})

    def _request(self, method: str, path: str, params: dict | None = None, body: dict | None = None) -> Any:
        query = {"$format": "json", **(params or {})}
        try:
            response = self.http.request(
                method, self.base + path, params=query, json=body, timeout=self.timeout
            )
        except requests.Timeout:
            raise OneCError(f"1С не ответила за {self.timeout:g} с") from None
        except requests.RequestException as exc:
            raise OneCError(f"1С недоступна ({type(exc).__name__})") from None
        status = response.status_code
        if status in (401, 403):
            raise OneCError(
                "1С отклонила логин или пароль (CRM_ONEC_USER / CRM_ONEC_PASSWORD)", False, status
            )
        if status == 404:
            return None
        if status >= 500 or status == 429:
            raise OneCError(f"1С временно не отвечает (код {status})", True, status)
        if status >= 400:
            raise OneCError(f"1С отказала в запросе (код {status}): {response.text[:300]}", False, status)
        try:
            data = response.json()
        except ValueError:
            raise OneCError("1С ответила не в формате OData JSON") from None
        if not isinstance(data, dict):
            raise OneCError("1С ответила не в формате OData JSON")
        return data

    def _list(self, entity: str, params: dict) -> list[dict]:
        data = self._request("GET", entity, params)
        rows = (data or {}).get("value")
        if not isinstance(rows, list):
            raise OneCError("В ответе 1С нет списка value")
        return [r for r in rows if isinstance(r, dict)]

    @staticmethod
    def _one(entity: str, ref: str) -> str:
        return f"{entity}(guid'{quote(ref)}')"

    def find_counterparty(self, inn: str, kpp: str | None) -> dict | None:
        where = f"ИНН eq {_literal(inn)} and DeletionMark eq false"
        if kpp:
            where += f" and КПП eq {_literal(kpp)}"
        rows = self._list(COUNTERPARTIES, {"$filter": where})
        return rows[0] if rows else None

    def counterparty(self, ref: str) -> dict | None:
        return self._request("GET", self._one(COUNTERPARTIES, ref))

    def create_counterparty(self, values: dict) -> dict:
        return self._request("POST", COUNTERPARTIES, body=values) or {}

    def update_counterparty(self, ref: str, values: dict) -> dict:
        return self._request("PATCH", self._one(COUNTERPARTIES, ref), body=values) or {}

    def invoice(self, ref: str) -> dict | None:
        return self._request("GET", self._one(INVOICES, ref))

    def create_invoice(self, values: dict) -> dict:
        return self._request("POST", INVOICES, body=values) or {}

    def payments_since(self, since: datetime) -> list[dict]:
        stamp = since.strftime("%Y-%m-%dT%H:%M:%S")
        return self._list(
            PAYMENTS,
            {
                "$filter": f"Date ge datetime'{stamp}' and Posted eq true",
                "$expand": "ДоговорКонтрагента",
                "$orderby": "Date",
            },
        )

    def check(self) -> str:
        rows = self._list(COUNTERPARTIES, {"$top": "1"})
        return f"1С ответила: справочник контрагентов доступен ({len(rows)} в пробной выборке)"


class UnconfiguredOneC:
    def __getattr__(self, name: str) -> Any:
        def refuse(*args: Any, **kwargs: Any) -> Any:
            raise OneCError("1С не настроена (CRM_ONEC_URL)", retryable=False)

        return refuse


def onec_from_settings(settings: Any) -> OneC:
    if not getattr(settings, "onec_url", ""):
        return UnconfiguredOneC()  # type: ignore[return-value]
    timeout = float((getattr(settings, "extra", None) or {}).get("CRM_ONEC_TIMEOUT", DEFAULT_TIMEOUT))
    return ODataOneC(settings.onec_url, settings.onec_user, settings.onec_password, timeout)
