"""Inbound e-mail over IMAP: the ``imap.fetch`` job, threads on clients and deals, the triage queue."""

from __future__ import annotations

import time

from integrations.catalog import ConnectionFailed, Integration, declare
from integrations.imap.client import MailboxError, mailbox_urls, reader_for
from integrations.imap.importer import fetch_job
from models.platform.jobs import JobContext
from models.platform.registry import Registry

DEFAULT_INTERVAL = 60.0
_last_run: dict[str, float] = {}


def _check(settings) -> str:
    answers = []
    try:
        for url in mailbox_urls(settings):
            reader = reader_for(url, settings)
            try:
                answers.append(reader.check())
            finally:
                reader.close()
    except MailboxError as exc:
        raise ConnectionFailed(exc.message) from None
    return "; ".join(answers)


def _job(context: JobContext) -> int:
    """``imap.fetch`` every ``CRM_IMAP_INTERVAL`` seconds (default 60), not on every scheduler tick."""
    interval = float((context.settings.extra or {}).get("CRM_IMAP_INTERVAL", DEFAULT_INTERVAL))
    now = time.monotonic()
    if now - _last_run.get("imap", -interval) < interval:
        return 0
    _last_run["imap"] = now
    return fetch_job(context)


INTEGRATION = Integration(
    code="imap",
    title="Входящая почта (IMAP)",
    settings=("CRM_IMAP_URLS",),
    configured=lambda s: bool(s.imap_urls),
    check=_check,
    notes="Письма от неизвестных отправителей — в очереди разбора: /integrations/mail/triage.",
)


def register(registry: Registry) -> None:
    registry.job("imap.fetch", _job)
    declare(registry, INTEGRATION)
