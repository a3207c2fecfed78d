"""The company registry: «Заполнить по ИНН» through a DaData-compatible ``findById/party`` API.

``POST {CRM_REGISTRY_URL}/suggestions/api/4_1/rs/findById/party`` with
``Authorization: Token <CRM_REGISTRY_TOKEN>`` and ``{"query": INN}`` answers
``{"suggestions": [{"value", "data": {"inn", "kpp", "ogrn", "name", "address",
"management", "state": {"status"}, "type", "okved"}}]}``. The answer becomes a ``CompanyInfo``,
which fills a card's names, KPP, OGRN, address, head and registry status.

Every call passes a timeout, the token never reaches a log, and failures are sorted into
retryable (timeout, connection, 429, 5xx) and permanent ones, each with a Russian
message. The registry is only ever asked *before* a card is saved or on an explicit
«Проверить в реестре»; saving never waits for it, so a slow or broken registry never
blocks work. ``registry_from_settings`` picks the HTTP client, or a stand-in that says
«не настроен» when no URL is configured.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

import requests

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 5.0
FIND_PARTY_PATH = "/suggestions/api/4_1/rs/findById/party"
WARNING_STATUSES = {
    "LIQUIDATING": "компания ликвидируется",
    "LIQUIDATED": "компания ликвидирована",
    "BANKRUPT": "компания в процедуре банкротства",
}


class RegistryError(Exception):
    """The registry could not answer; ``retryable`` says whether trying later may help."""

    def __init__(self, message: str, retryable: bool) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable


@dataclass(frozen=True)
class CompanyInfo:
    """What the registry knows about a company or an individual entrepreneur."""

    inn: str
    kpp: str | None
    ogrn: str | None
    full_name: str | None
    short_name: str | None
    address: str | None
    head_name: str | None
    head_position: str | None
    status: str | None  # ACTIVE | LIQUIDATING | LIQUIDATED | BANKRUPT | REORGANIZING
    party_type: str | None  # LEGAL | INDIVIDUAL
    okved: str | None = None  # the main activity code (ОКВЭД 2), e.g. «49.41»

    @classmethod
    def from_suggestion(cls, suggestion: dict[str, Any]) -> CompanyInfo:
        """Read one element of the API's ``suggestions`` list."""
        data = suggestion.get("data") or {}
        name = data.get("name") or {}
        management = data.get("management") or {}
        return cls(
            inn=str(data.get("inn") or ""),
            kpp=data.get("kpp"),
            ogrn=data.get("ogrn"),
            full_name=name.get("full_with_opf") or suggestion.get("unrestricted_value"),
            short_name=name.get("short_with_opf") or suggestion.get("value"),
            address=(data.get("address") or {}).get("value"),
            head_name=management.get("name"),
            head_position=management.get("post"),
            status=(data.get("state") or {}).get("status"),
            party_type=data.get("type"),
            okved=data.get("okved") or None,
        )

    def registry_warning_text(self) -> str | None:
        """A warning when the company is being liquidated, is liquidated or bankrupt."""
        return WARNING_STATUSES.get(self.status or "")

    def card_values(self, current_kind: str | None = None) -> dict[str, Any]:
        """Card fields this answer fills (a state body stays a state body)."""
        if self.party_type == "INDIVIDUAL":
            kind = "entrepreneur"
        else:
            kind = current_kind if current_kind in ("company", "state") else "company"
        values = {
            "kind": kind,
            "inn": self.inn,
            "kpp": self.kpp,
            "ogrn": self.ogrn,
            "full_name": self.full_name,
            "short_name": self.short_name,
            "legal_address": self.address,
            "head_name": self.head_name,
            "head_position": self.head_position,
            "registry_status": self.status,
        }
        return {k: v for k, v in values.items() if v}


class Registry(Protocol):
    """What the CRM needs from a company registry."""

    def find_by_inn(self, inn: str) -> CompanyInfo | None:
        """The registry entry for ``inn`` or None; raises ``RegistryError`` when it cannot answer."""


class HttpRegistry:
    """The real client of a DaData-compatible registry."""

    def __init__(
        self,
        base_url: str,
        token: str,
        timeout: float = DEFAULT_TIMEOUT,
        http: requests.Session | None = None,
    ) -> None:
        self.url = base_url.rstrip("/") + FIND_PARTY_PATH
        self.token = token
        self.timeout = timeout
        self.http = http or requests.Session()

    def find_by_inn(self, inn: str) -> CompanyInfo | None:
        """The registry's entry for ``inn`` (the head office for companies), or None if unknown."""
        try:
            response = self.http.post(
                self.url,
                json={"query": inn},
                timeout=self.timeout,
                headers={"Authorization": f"Token {self.token}", "Accept": "application/json"},
            )
        except requests.Timeout:
            log.warning("registry timeout after %.1f s (%s)", self.timeout, self.url)
            raise RegistryError(
                f"Реестр не ответил за {self.timeout:g} с. Карточку можно "
                "сохранить и проверить в реестре позже",
                retryable=True,
            ) from None
        except requests.RequestException as exc:
            log.warning("registry unreachable (%s): %s", self.url, type(exc).__name__)
            raise RegistryError(
                "Реестр недоступен. Карточку можно сохранить и проверить в реестре позже", retryable=True
            ) from None
        return self._parse(response, inn)

    def _parse(self, response: requests.Response, inn: str) -> CompanyInfo | None:
        status = response.status_code
        if status in (401, 403):
            raise RegistryError("Реестр отклонил ключ доступа (CRM_REGISTRY_TOKEN)", retryable=False)
        if status == 429 or status >= 500:
            raise RegistryError(
                f"Реестр временно не отвечает (код {status}); попробуйте позже", retryable=True
            )
        if status != 200:
            raise RegistryError(f"Реестр отказал в запросе (код {status})", retryable=False)
        try:
            suggestions = response.json().get("suggestions") or []
        except (ValueError, AttributeError):
            raise RegistryError("Реестр ответил не в формате JSON", retryable=True) from None
        entries = [CompanyInfo.from_suggestion(s) for s in suggestions if isinstance(s, dict)]
        matching = [e for e in entries if e.inn == inn] or entries
        return matching[0] if matching else None


class UnconfiguredRegistry:
    """The stand-in used when ``CRM_REGISTRY_URL`` is empty."""

    def find_by_inn(self, inn: str) -> CompanyInfo | None:
        """Always refuses: there is no registry to ask."""
        raise RegistryError("Реестр не настроен (CRM_REGISTRY_URL)", retryable=False)


def registry_from_settings(settings: Any, timeout: float = DEFAULT_TIMEOUT) -> Registry:
    """The registry client the configuration asks for."""
    if not getattr(settings, "registry_url", ""):
        return UnconfiguredRegistry()
    return HttpRegistry(settings.registry_url, settings.registry_token, timeout=timeout)


def lookup_company(registry: Registry, inn: str) -> CompanyInfo | None:
    """Look ``inn`` up after checking its format, so typos never reach the registry."""
    from models.clients.requisites import inn_error

    error = inn_error(inn)
    if error:
        raise RegistryError(error, retryable=False)
    return registry.find_by_inn(inn)
