"""Data-quality rules an admin configures: per client kind, and per deal stage (the stage's gate).

A rule names a record (``client`` or ``deal``), optionally a client kind and, for deals,
the stage whose entry it guards, and what it checks: ``required`` (the field is filled),
``format`` (``inn``, ``kpp``, ``email``, ``phone`` or a regular expression) or
``consistency`` (named checks across fields: the INN fits the client kind, a company's
branch has its own КПП, a card has a phone or an e-mail, a deal has its products).
``ensure_default_rules`` adds the shipped set once; admins switch rules off and add their own.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.platform.db import Base, UTCDateTime, utcnow

CHECKS = {"required": "Обязательное поле", "format": "Формат", "consistency": "Согласованность"}
RECORDS = {"client": "Клиент", "deal": "Сделка"}


class QualityRule(Base):
    __tablename__ = "quality_rule"
    __audited__ = True
    __table_args__ = (Index("ix_quality_rule_scope", "record", "is_active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record: Mapped[str] = mapped_column(String(20))  # client | deal
    client_kind: Mapped[str | None] = mapped_column(String(20))  # None: every kind
    stage_code: Mapped[str | None] = mapped_column(String(40))  # deals: the stage whose entry it guards
    check: Mapped[str] = mapped_column(String(20))
    field: Mapped[str] = mapped_column(String(60))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    message: Mapped[str] = mapped_column(String(300))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# (record, client kind, stage, check, field, params, message)
DEFAULT_RULES: tuple[tuple, ...] = (
    ("client", "company", None, "required", "inn", {}, "У юрлица не заполнен ИНН"),
    ("client", "company", None, "required", "kpp", {}, "У юрлица не заполнен КПП"),
    ("client", "company", None, "required", "legal_address", {}, "Не заполнен юридический адрес"),
    ("client", "company", None, "format", "inn", {"format": "inn"},
     "ИНН не проходит проверку контрольной суммы"),
    ("client", "company", None, "format", "kpp", {"format": "kpp"}, "КПП — 9 цифр"),
    ("client", "company", None, "consistency", "kpp", {"check": "branch_kpp"},
     "Филиал (обособленное подразделение) должен иметь свой КПП, отличный от головного"),
    ("client", None, None, "consistency", "phone", {"check": "contact_present"},
     "Нет ни телефона, ни e-mail"),
    ("client", None, None, "consistency", "inn", {"check": "inn_fits_kind"},
     "Длина ИНН не соответствует типу клиента (юрлицо — 10 цифр, ИП и физлицо — 12)"),
    ("client", "entrepreneur", None, "required", "inn", {}, "У ИП не заполнен ИНН"),
    ("deal", None, "offer_sent", "required", "premium", {}, "Для КП укажите премию"),
    ("deal", None, "offer_sent", "required", "amount", {}, "Для КП укажите страховую сумму"),
    ("deal", None, "offer_sent", "consistency", "product_lines", {"check": "has_products"},
     "Для КП выберите хотя бы один продукт"),
    ("deal", None, "offer_sent", "consistency", "client", {"check": "client_complete"},
     "Карточка клиента неполна: сначала исправьте её"),
)


def ensure_default_rules(session: Session) -> int:
    """Add the shipped rules once (when no rule exists yet); returns how many were added."""
    if session.scalar(select(QualityRule.id).limit(1)) is not None:
        return 0
    for record, kind, stage, check, field, params, message in DEFAULT_RULES:
        session.add(QualityRule(record=record, client_kind=kind, stage_code=stage, check=check, field=field,
                                params=params, message=message, is_active=True))
    session.flush()
    return len(DEFAULT_RULES)


def active_rules(session: Session, record: str) -> list[QualityRule]:
    return list(session.scalars(select(QualityRule).where(QualityRule.record == record,
                                                          QualityRule.is_active.is_(True))
                                .order_by(QualityRule.id)))
