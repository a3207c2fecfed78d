"""Export and erasure of a person's data, and the retention job (152-ФЗ, ст. 14, 21).

Only administrators, always with a reason, which the access log keeps with who and when.
A person is an individual client (``kind == person``) with its contacts, or a lead. Erasure
anonymises: names, phones, e-mails, addresses, INN, notes and comments are replaced or
cleared, the audit log's old and new values of those records are masked, while deals keep
their figures (amounts, premiums, stages, dates) — the business stays countable.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from models.clients.cards import Client, ClientKind, Contact
from models.identity.users import User
from models.platform.audit import AuditLog
from models.platform.errors import NotFound
from models.platform.permissions import AccessDenied, Permission, has_permission
from models.privacy.access_log import log_access
from models.privacy.tables import Consent, PersonalDataAccess
from models.sales.activities import Activity
from models.sales.deals import Deal
from models.sales.leads import Lead

ERASED = "Удалено по 152-ФЗ"
_CLIENT_FIELDS = ("kind", "full_name", "short_name", "inn", "legal_address", "postal_address", "phone",
                  "email", "extra_phones", "extra_emails", "notes", "head_name", "source", "created_at")
_LEAD_FIELDS = ("source", "name", "company", "inn", "phone", "email", "comment", "status", "utm_source",
                "utm_campaign", "remote_addr", "created_at", "client_id", "deal_id")


class PrivacyError(ValueError):
    """A refused export or erasure (Russian message)."""


def _authorise(actor: User, reason: str) -> str:
    if not has_permission(actor, Permission.MANAGE_USERS):
        raise AccessDenied("Выгрузку и удаление персональных данных выполняет администратор")
    reason = (reason or "").strip()
    if not reason:
        raise PrivacyError("Укажите основание: запрос субъекта, номер обращения или истечение срока")
    return reason[:500]


def _subject(session: Session, subject_type: str, subject_id: int) -> Client | Lead:
    record: Client | Lead | None = None
    if subject_type == "client":
        record = session.get(Client, subject_id)
        if record is not None and record.kind != ClientKind.PERSON.value:
            raise PrivacyError("Клиент — не физическое лицо: его данные не персональные")
    elif subject_type == "lead":
        record = session.get(Lead, subject_id)
    if record is None:
        raise NotFound("Человек не найден")
    return record


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value if value is None or isinstance(value, str | int | float | bool | list | dict) else str(value)


def _fields(record: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: _plain(getattr(record, name)) for name in names}


def _consents(session: Session, subject_type: str, subject_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(select(Consent).where(Consent.subject_type == subject_type,
                                                 Consent.subject_id == subject_id).order_by(Consent.id))
    return [{"text": c.text, "policy_url": c.policy_url, "source": c.source, "address": c.address,
             "given_at": _plain(c.given_at), "withdrawn_at": _plain(c.withdrawn_at)} for c in rows]


def _access(session: Session, subject_type: str, subject_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(select(PersonalDataAccess).where(
        PersonalDataAccess.subject_type == subject_type, PersonalDataAccess.subject_id == subject_id)
        .order_by(PersonalDataAccess.id))
    return [{"user_id": a.user_id, "action": a.action, "reason": a.reason, "at": _plain(a.at)} for a in rows]


def export_person(session: Session, actor: User, subject_type: str, subject_id: int, reason: str,
                  now: datetime) -> dict[str, Any]:
    """Everything held about the person: the record, contacts, leads, activities, deals, consents."""
    reason = _authorise(actor, reason)
    record = _subject(session, subject_type, subject_id)
    data: dict[str, Any] = {"subject": {"type": subject_type, "id": subject_id},
                            "exported_at": now.isoformat()}
    leads: list[Lead]
    if isinstance(record, Client):
        data["client"] = _fields(record, _CLIENT_FIELDS)
        data["contacts"] = [{"full_name": c.full_name, "position": c.position, "phone": c.phone,
                             "email": c.email} for c in record.contacts]
        deals = list(session.scalars(select(Deal).where(Deal.client_id == record.id).order_by(Deal.id)))
        data["deals"] = [{"id": d.id, "title": d.title, "amount": _plain(d.amount),
                          "premium": _plain(d.premium), "status": d.status} for d in deals]
        deal_ids = [d.id for d in deals]
        activities = session.scalars(select(Activity).where(or_(
            Activity.client_id == record.id, Activity.deal_id.in_(deal_ids or [-1]))).order_by(Activity.id))
        data["activities"] = [{"kind": a.kind, "subject": a.subject, "outcome": a.outcome,
                               "happened_at": _plain(a.happened_at)} for a in activities]
        leads = list(session.scalars(select(Lead).where(Lead.client_id == record.id).order_by(Lead.id)))
    else:
        leads = [record]
        data["contacts"], data["deals"], data["activities"] = [], [], []
    data["leads"] = [_fields(lead, _LEAD_FIELDS) | {"id": lead.id} for lead in leads]
    data["consents"] = _consents(session, subject_type, subject_id) + [
        c for lead in leads if subject_type != "lead" for c in _consents(session, "lead", lead.id)]
    data["access_log"] = _access(session, subject_type, subject_id)
    log_access(session, actor.id, subject_type, subject_id, "export", reason=reason, now=now)
    return data


def _mask_audit(session: Session, entity_type: str, ids: list[int]) -> None:
    if ids:
        session.flush()  # the audit hooks write the old values now; then they are masked
        session.execute(update(AuditLog).where(AuditLog.entity_type == entity_type,
                                               AuditLog.entity_id.in_([str(i) for i in ids]))
                        .values(old_value="***", new_value="***"))


def _anonymise_lead(lead: Lead) -> None:
    lead.name = ERASED
    lead.company = lead.inn = lead.phone = lead.email = lead.comment = lead.remote_addr = None
    lead.utm_source = lead.utm_medium = lead.utm_campaign = lead.utm_content = lead.utm_term = None


def erase_person(session: Session, actor: User, subject_type: str, subject_id: int, reason: str,
                 now: datetime) -> None:
    """Anonymise the person's data; deals keep their figures."""
    reason = _authorise(actor, reason)
    record = _subject(session, subject_type, subject_id)
    leads: list[Lead]
    if isinstance(record, Client):
        record.full_name = f"{ERASED} №{record.id}"
        record.short_name = record.inn = record.legal_address = record.postal_address = None
        record.phone = record.email = record.notes = record.head_name = record.head_position = None
        record.extra_phones = record.extra_emails = None
        record.search_name = ""
        session.execute(delete(Contact).where(Contact.client_id == record.id))
        for deal in session.scalars(select(Deal).where(Deal.client_id == record.id)):
            deal.title = f"Сделка №{deal.id}"
        session.execute(update(Activity).where(Activity.client_id == record.id)
                        .values(subject=ERASED, outcome=None))
        leads = list(session.scalars(select(Lead).where(Lead.client_id == record.id)))
        _mask_audit(session, "client", [record.id])
    else:
        leads = [record]
    for lead in leads:
        _anonymise_lead(lead)
    _mask_audit(session, "lead", [lead.id for lead in leads])
    log_access(session, actor.id, subject_type, subject_id, "erase", reason=reason, now=now)


def anonymise_expired_leads(session: Session, now: datetime, keep_days: int) -> int:
    """The retention job's unit: leads older than ``keep_days`` lose their personal fields."""
    cutoff = now - timedelta(days=keep_days)
    expired = list(session.scalars(select(Lead).where(
        Lead.created_at < cutoff, Lead.name.is_distinct_from(ERASED)).limit(500)))
    for lead in expired:
        _anonymise_lead(lead)
        log_access(session, None, "lead", lead.id, "retention", reason=f"срок хранения {keep_days} дн. истёк",
                   now=now)
    _mask_audit(session, "lead", [lead.id for lead in expired])
    return len(expired)
