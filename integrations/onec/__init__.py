"""1С:Предприятие over OData: counterparties both ways with a conflict report, invoices, payments."""

from __future__ import annotations

from integrations.catalog import ConnectionFailed, Integration, declare
from integrations.onec.exchange import exchange_job
from integrations.onec.odata import OneCError, onec_from_settings
from models.platform.registry import Registry


def _check(settings) -> str:
    try:
        return onec_from_settings(settings).check()
    except OneCError as exc:
        raise ConnectionFailed(exc.message) from None


INTEGRATION = Integration(
    code="onec",
    title="1С:Предприятие (OData)",
    settings=("CRM_ONEC_URL", "CRM_ONEC_USER", "CRM_ONEC_PASSWORD"),
    configured=lambda s: bool(s.onec_url),
    check=_check,
    notes="Обмен — задание onec.exchange: контрагенты в обе стороны, счета из сделок, поступления оплат.",
)


def register(registry: Registry) -> None:
    registry.job("onec.exchange", exchange_job)
    declare(registry, INTEGRATION)
