"""Leads: requests from the site form, the API or a manager, before they become deals.

A lead keeps what the person sent (contact data, source and UTM tags), what the
``lead_handling`` process decided (linked client, funnel, team, manager and the reason
for that choice) and how it ended (qualified into a deal, or rejected with a reason).
Input checks live here so the public form, the API and the UI apply the same rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, Select, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.clients.cards import Client
from models.clients.phones import display_phone, normalize_phone
from models.identity.users import User
from models.platform.db import Base, UTCDateTime, utcnow
from models.platform.fragments import trigram_index
from models.platform.registry import LabelIds


class LeadStatus:
    NEW = "new"
    ASSIGNED = "assigned"
    ESCALATED = "escalated"
    QUALIFIED = "qualified"
    REJECTED = "rejected"
    OPEN = (NEW, ASSIGNED, ESCALATED)


LEAD_STATUS_LABELS = {
    LeadStatus.NEW: "Новый", LeadStatus.ASSIGNED: "В работе", LeadStatus.ESCALATED: "Эскалирован",
    LeadStatus.QUALIFIED: "Квалифицирован", LeadStatus.REJECTED: "Не актуален",
}
LEAD_SOURCES = ("site", "api", "manual", "phone", "partner")
LEAD_SOURCE_LABELS = {"site": "Сайт", "api": "Интеграция (API)", "manual": "Вручную", "phone": "Звонок",
                      "partner": "Партнёр"}
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")


class Lead(Base):
    __tablename__ = "lead"
    __audited__ = True
    __table_args__ = (Index("ix_lead_assigned_status", "assigned_to_id", "status"),
                      trigram_index("ix_lead_company_trgm", "company"),
                      trigram_index("ix_lead_name_trgm", "name"))

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40), default="site")
    utm_source: Mapped[str | None] = mapped_column(String(200))
    utm_medium: Mapped[str | None] = mapped_column(String(200))
    utm_campaign: Mapped[str | None] = mapped_column(String(200))
    utm_content: Mapped[str | None] = mapped_column(String(200))
    utm_term: Mapped[str | None] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(300))
    company: Mapped[str | None] = mapped_column(String(500))
    inn: Mapped[str | None] = mapped_column(String(12), index=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    comment: Mapped[str | None] = mapped_column(Text)
    client_kind: Mapped[str | None] = mapped_column(String(20))
    territory: Mapped[str | None] = mapped_column(String(100))
    industry: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default=LeadStatus.NEW, index=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("client.id", ondelete="SET NULL"))
    deal_id: Mapped[int | None] = mapped_column(Integer)  # set when qualified (no FK: deal points back)
    funnel_code: Mapped[str | None] = mapped_column(String(40))
    team_code: Mapped[str | None] = mapped_column(String(40))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    routing_reason: Mapped[str | None] = mapped_column(Text)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    instance_id: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    client: Mapped[Client | None] = relationship()
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])

    @property
    def title(self) -> str:
        return self.company or self.name or self.email or display_phone(self.phone) or f"Лид №{self.id}"

    @property
    def source_label(self) -> str:
        """Where the lead came from, in Russian («Сайт»), never its code."""
        return LEAD_SOURCE_LABELS.get(self.source or "", self.source or "—")

    @property
    def status_label(self) -> str:
        return LEAD_STATUS_LABELS.get(self.status, self.status)


_DIGITS = re.compile(r"\D+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LIMITS = {"name": 300, "company": 500, "comment": 5000, "source": 40, "territory": 100,
           "industry": 100, **dict.fromkeys(UTM_FIELDS, 200)}


@dataclass
class LeadInput:
    """Checked lead data, or the field errors (Russian) that made it unacceptable."""

    values: dict
    errors: dict[str, list[str]]


def _strings(raw: dict, errors: dict[str, list[str]]) -> dict:
    values: dict = {}
    for key, limit in {**_LIMITS, "inn": 12, "phone": 40, "email": 254, "client_kind": 20}.items():
        value = raw.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            errors.setdefault(key, []).append("Ожидается строка")
            continue
        value = value.strip()
        if len(value) > limit:
            errors.setdefault(key, []).append(f"Не длиннее {limit} символов")
        elif value:
            values[key] = value
    return values


_KINDS = ("company", "entrepreneur", "person", "state")


def check_lead_input(raw: dict) -> LeadInput:
    """Validate and normalise intake data from any channel; field -> messages on failure."""
    errors: dict[str, list[str]] = {}
    values = _strings(raw, errors)
    if "inn" in values and not re.fullmatch(r"\d{10}|\d{12}", values["inn"]):
        errors.setdefault("inn", []).append("ИНН — 10 или 12 цифр")
    if "phone" in values:
        values["phone"] = normalize_phone(values["phone"])
        if values["phone"] is None:
            errors.setdefault("phone", []).append("Телефон: ожидается российский номер, +7 и 10 цифр")
    if "email" in values:
        if not _EMAIL.match(values["email"]):
            errors.setdefault("email", []).append("Неверный адрес e-mail")
        values["email"] = values["email"].lower()
    if values.get("client_kind", "company") not in _KINDS:
        errors.setdefault("client_kind", []).append("Выберите значение из списка")
    if not (values.get("phone") or values.get("email") or "phone" in errors or "email" in errors):
        errors.setdefault("phone", []).append("Укажите телефон или e-mail")
    if not any(values.get(k) for k in ("name", "company")):
        errors.setdefault("name", []).append("Укажите имя или компанию")
    return LeadInput(values=values, errors=errors)


def guess_client_kind(values: dict) -> str:
    """The client type a lead most likely is, when the sender did not say."""
    if values.get("client_kind"):
        return values["client_kind"]
    inn = values.get("inn") or ""
    company = (values.get("company") or "").lower()
    if any(w in company for w in ("министерство", "администрация", "гбу", "фгбу", "мбу", "департамент",
                                  "управление")):
        return "state"
    if len(inn) == 12 or company.startswith("ип "):
        return "entrepreneur"
    if inn or company:
        return "company"
    return "person"


def new_lead(values: dict, *, source: str, created_by_id: int | None, remote_addr: str | None,
             now: datetime) -> Lead:
    """A lead row from checked values (``check_lead_input``); the caller adds and flushes it."""
    fields = {k: v for k, v in values.items() if k in Lead.__table__.columns and k != "source"}
    lead = Lead(**fields, source=values.get("source") or source, created_by_id=created_by_id,
                remote_addr=remote_addr, created_at=now, status=LeadStatus.NEW)
    lead.client_kind = guess_client_kind(values)
    return lead


def lead_label_rows(ids: LabelIds) -> Select:
    return select(Lead.id, Lead.company, Lead.name).where(Lead.id.in_(ids))


def lead_label(lead_id: int, company: str | None, name: str | None) -> str:
    return f"Лид: {company or name or lead_id}"
