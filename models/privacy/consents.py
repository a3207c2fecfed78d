"""Consent to the processing of personal data, as the public form shows it (152-ФЗ, ст. 9)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from models.privacy.tables import Consent

POLICY_URL = "/intake/privacy"
CONSENT_TEXT = ("Я даю согласие на обработку моих персональных данных (имя, телефон, e-mail, компания, "
                "комментарий) для ответа на заявку и подбора страхования в соответствии с Политикой "
                "обработки персональных данных; согласие можно отозвать, написав нам.")


def consent_given(value: object) -> bool:
    """The checkbox's value as a form or JSON sends it."""
    return value is True or str(value or "").strip().lower() in {"1", "true", "on", "yes", "да"}


def record_consent(session: Session, subject_type: str, subject_id: int, *, source: str,
                   address: str | None, now: datetime) -> Consent:
    consent = Consent(subject_type=subject_type, subject_id=subject_id, text=CONSENT_TEXT,
                      policy_url=POLICY_URL, source=source, address=(address or "")[:64] or None,
                      given_at=now)
    session.add(consent)
    return consent
