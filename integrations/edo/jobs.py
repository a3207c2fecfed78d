"""The EDO scheduler jobs: post queued sendings, poll new events.

``edo_send``: each due sending is claimed with a lease in a unit of its own, posted outside
any transaction, and the answer recorded in another unit — so a crash, a timeout or a second
worker never posts a different message: the retry carries the same ``operationId`` and the
server answers 409 for a repeat, which counts as sent. 204 ``Retry-After`` puts the attempt
off that long; timeouts and 5xx back off exponentially; 401/403 stop the sending as an
incident (admins and the author are told) instead of failing the job or a page.

``edo_poll``: ``V8/GetNewEvents`` from the stored ``afterIndexKey`` of our box, a page per
unit of work, each event's ``Docflow`` applied to the sending it names; the cursor moves in
the same unit, so an event is applied once.
"""

from __future__ import annotations

import base64
import logging
from datetime import timedelta

from sqlalchemy.orm import Session

from integrations.edo.client import (
    TYPE_NAMED_IDS,
    EdoClient,
    EdoError,
    EdoRetryLater,
    client_from_settings,
    docflow_status,
)
from models.documents import sending as documents
from models.documents.tables import DocumentSending, EdoCursor
from models.platform.jobs import JobContext, run_unit

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
MAX_PAGES = 10


def _message(outgoing: documents.EdoOutgoing, from_box: str, to_box: str) -> dict:
    return {
        "FromBoxId": from_box,
        "ToBoxId": to_box,
        "DocumentAttachments": [
            {
                "SignedContent": {"Content": base64.b64encode(outgoing.content).decode()},
                "TypeNamedId": TYPE_NAMED_IDS.get(outgoing.kind, "Nonformalized"),
                "Function": "default",
                "Version": "v1",
                "Metadata": [{"Key": "FileName", "Value": outgoing.filename}],
                "CustomDocumentId": f"{documents.CUSTOM_PREFIX}{outgoing.sending_id}",
                "NeedRecipientSignature": True,
                "Comment": outgoing.title[:200],
            }
        ],
    }


def _post(client: EdoClient, outgoing: documents.EdoOutgoing):
    my_box = client.my_box_id()
    to_box = outgoing.box_id or client.counteragent_box(my_box, outgoing.client_inn)
    if not to_box:
        raise EdoError(f"Клиент с ИНН {outgoing.client_inn} не найден среди контрагентов в ЭДО", "permanent")
    return client.post_message(outgoing.operation_id, _message(outgoing, my_box, to_box))


def _later(context: JobContext, sending_id: int, delay: timedelta, error: str) -> None:
    at = context.clock.now() + delay
    run_unit(context.session_factory, lambda s: documents.edo_retry_later(s, sending_id, at, error))


def _backoff(context: JobContext, sending_id: int, error: str) -> None:
    def work(s: Session) -> None:
        row = s.get(DocumentSending, sending_id)
        attempts = row.attempts if row is not None else 1
        delay = timedelta(seconds=30 * 2 ** min(attempts - 1, 8))
        documents.edo_retry_later(s, sending_id, context.clock.now() + delay, error)

    run_unit(context.session_factory, work)


def _stop(context: JobContext, sending_id: int, error: str) -> None:
    def work(s: Session) -> None:
        row = s.get(DocumentSending, sending_id)
        if row is not None:
            documents.edo_incident(s, row, error, context.clock.now())

    run_unit(context.session_factory, work)


def send_one(context: JobContext, client: EdoClient, sending_id: int) -> str:
    now = context.clock.now()
    outgoing = run_unit(
        context.session_factory, lambda s: documents.claim_edo_sending(s, sending_id, now, LEASE)
    )
    if outgoing is None:
        return "skipped"
    try:
        posted = _post(client, outgoing)
    except EdoRetryLater as later:
        _later(context, sending_id, timedelta(seconds=later.seconds), str(later))
        return "later"
    except EdoError as failed:
        if failed.kind == "retry":
            _backoff(context, sending_id, failed.message)
            return "retry"
        _stop(context, sending_id, failed.message)
        return "incident"
    run_unit(
        context.session_factory,
        lambda s: documents.edo_posted(
            s, sending_id, posted.message_id, posted.entity_id, context.clock.now()
        ),
    )
    return "duplicate" if posted.duplicate else "sent"


def send_due(context: JobContext, client: EdoClient | None = None) -> dict[str, int]:
    """Post every due EDO sending; returns how many ended which way."""
    client = client or client_from_settings(context.settings)
    if client is None:
        return {}
    with context.session_factory() as session:
        ids = documents.due_edo_sendings(session, context.clock.now())
    counts: dict[str, int] = {}
    for sending_id in ids:
        outcome = send_one(context, client, sending_id)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _apply(session: Session, events: list[dict], now) -> int:
    applied = 0
    for event in events:
        for entity in event.get("Entities") or []:
            info = entity.get("DocumentInfo") or {}
            sending = documents.edo_sending_for(
                session, info.get("CustomDocumentId"), info.get("MessageId") or event.get("MessageId")
            )
            status = docflow_status(info.get("Docflow") or {})
            if sending is None or status is None:
                continue
            severity = ((info.get("Docflow") or {}).get("DocflowStatus") or {}).get("PrimaryStatus") or {}
            note = severity.get("StatusHint") or ""
            if documents.apply_edo_status(session, sending, status, note, now):
                applied += 1
    return applied


def poll(context: JobContext, client: EdoClient | None = None) -> int:
    """Read new events page by page; returns how many statuses changed."""
    client = client or client_from_settings(context.settings)
    if client is None:
        return 0
    try:
        box = client.my_box_id()
    except EdoError as exc:
        log.warning("EDO poll: %s", exc.message)
        return 0
    applied = 0
    for _ in range(MAX_PAGES):
        with context.session_factory() as session:
            cursor = session.get(EdoCursor, box)
            after = cursor.after_index_key if cursor else None
        try:
            events = client.new_events(box, after)
        except EdoError as exc:
            log.warning("EDO poll: %s", exc.message)
            break
        if not events:
            break

        def page(session: Session, events=events, after=after) -> int:
            row = session.get(EdoCursor, box) or EdoCursor(box_id=box)
            session.add(row)
            if row.after_index_key != after:
                return 0  # another worker read this page
            row.after_index_key = str(events[-1].get("IndexKey") or after or "")
            row.updated_at = context.clock.now()
            return _apply(session, events, context.clock.now())

        applied += run_unit(context.session_factory, page) or 0
    return applied


def edo_send_job(context: JobContext) -> object:
    return send_due(context)


def edo_poll_job(context: JobContext) -> object:
    return poll(context)
