"""Requests between departments: a manager asks underwriting, back office, lawyers, product or analysts.

A request has a kind, which decides who answers (a role, and so a department), the form the
asker fills (``forms/department_request_<kind>.schema.json``) and — through the DMN table
``processes/department_request_sla.dmn`` — the SLA. The process
``processes/department_request.bpmn`` routes it, escalates once when the SLA is breached,
returns the answer to the asker's inbox, and lets them accept it or ask again. The
discussion is the request's comment thread (``models.tasks.comments`` on
``department_request``), shown in every task of the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, Select, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.clients.cards import Client
from models.identity.users import User
from models.platform.db import Base, UTCDateTime, utcnow
from models.platform.registry import LabelIds
from models.sales.deals import Deal

PROCESS = "department_request"


@dataclass(frozen=True)
class RequestKind:
    code: str
    label: str
    role: str  # who answers
    department: str  # the answering department (its head gets escalations of queue tasks)
    team: str  # how the asker names them

    @property
    def form(self) -> str:
        return f"department_request_{self.code}.schema.json"

    @property
    def ui(self) -> str:
        return f"department_request_{self.code}.ui.json"


KINDS = {k.code: k for k in (
    RequestKind("tariff", "Расчёт тарифа", "underwriter", "underwriting", "Андеррайтинг"),
    RequestKind("requisites", "Проверка реквизитов", "back_office", "deal_support", "Бэк-офис"),
    RequestKind("contract_review", "Проверка договора", "lawyer", "legal", "Юристы"),
    RequestKind("product_question", "Вопрос по продукту", "product_specialist", "underwriting",
                "Продуктологи"),
    RequestKind("data_request", "Запрос данных", "analyst", "management", "Аналитики"),
)}


class RequestStatus:
    OPEN = "open"  # waiting for the department
    ANSWERED = "answered"  # answered, waiting for the asker to accept or ask again
    CLOSED = "closed"  # accepted
    CANCELLED = "cancelled"


STATUS_LABELS = {
    RequestStatus.OPEN: "Ждёт ответа", RequestStatus.ANSWERED: "Ответ получен",
    RequestStatus.CLOSED: "Закрыт", RequestStatus.CANCELLED: "Отменён",
}


class DepartmentRequest(Base):
    __tablename__ = "department_request"
    __table_args__ = (
        Index("ix_department_request_client", "client_id", "created_at"),
        Index("ix_department_request_role", "role", "status", "created_at"),
        Index("ix_department_request_requester", "requester_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    role: Mapped[str] = mapped_column(String(30))
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deal.id", ondelete="SET NULL"))
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(300))
    question: Mapped[str] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default=RequestStatus.OPEN)
    sla_hours: Mapped[int | None] = mapped_column(Integer)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rounds: Mapped[int] = mapped_column(Integer, default=0)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    instance_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    client: Mapped[Client] = relationship()
    deal: Mapped[Deal | None] = relationship()
    requester: Mapped[User | None] = relationship(foreign_keys=[requester_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind].label if self.kind in KINDS else self.kind

    @property
    def team(self) -> str:
        return KINDS[self.kind].team if self.kind in KINDS else self.role

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def in_sla(self) -> bool | None:
        """Answered within its SLA (None while open and not yet late)."""
        if self.due_at is None:
            return None
        if self.answered_at is not None:
            return self.answered_at <= self.due_at
        return False if self.breached_at is not None else None


def request_of_instance(session: Session, instance_id: int) -> DepartmentRequest | None:
    return session.scalar(select(DepartmentRequest).where(DepartmentRequest.instance_id == instance_id))


def request_label_rows(ids: LabelIds) -> Select:
    return select(DepartmentRequest.id, DepartmentRequest.kind, DepartmentRequest.subject).where(
        DepartmentRequest.id.in_(ids))


def request_label(request_id: int, kind: str | None, subject: str | None) -> str:
    return f"Запрос №{request_id}: {KINDS[kind].label if kind in KINDS else kind} — {subject}"
