"""The industry of a company that left only its INN on the site form, from the registry's ОКВЭД.

Routing needs an industry (``processes/lead_team.dmn``), and a person on the site rarely picks
one; their company's main activity code says it. The site form's request asks the registry
before it stores anything (nothing of ours is being written while we wait, the same rule as
«Заполнить по ИНН»), with a short timeout: a slow or broken registry costs the lead its
industry, never the lead itself — it is then routed by region alone.
"""

from __future__ import annotations

import logging
from typing import Any

from integrations.registry.client import RegistryError, lookup_company, registry_from_settings
from models.sales.regions import industry_from_okved

log = logging.getLogger(__name__)

INTAKE_TIMEOUT = 3.0  # seconds a person on the site may wait for the registry


def industry_by_inn(settings: Any, inn: str) -> str | None:
    """The industry of ``inn``'s main ОКВЭД code, or None (unknown INN or code, registry unreachable)."""
    extra = getattr(settings, "extra", None) or {}
    timeout = min(float(extra.get("CRM_REGISTRY_TIMEOUT", INTAKE_TIMEOUT)), INTAKE_TIMEOUT)
    try:
        info = lookup_company(registry_from_settings(settings, timeout=timeout), inn)
    except RegistryError as exc:
        log.warning("site lead: no industry from the registry for an INN (%s)", exc.message)
        return None
    return industry_from_okved(info.okved) if info is not None else None
