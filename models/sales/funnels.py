"""Sales funnels per client type, their stages, and the list of loss reasons.

A funnel belongs to a client kind (юрлица, физлица, госзаказчики); its stages carry the
order, the win probability and the "stuck after N days" threshold that drives the deal
flags. Admins edit them; ``ensure_default_funnels`` seeds the broker's standard set and
is safe to call again (natural keys are looked up first).
"""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.platform.db import Base


class StageOutcome:
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class Funnel(Base):
    __tablename__ = "funnel"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    client_kind: Mapped[str] = mapped_column(String(20))  # ClientKind value the funnel serves
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    stages: Mapped[list[FunnelStage]] = relationship(
        back_populates="funnel", cascade="all, delete-orphan", order_by="FunnelStage.position")

    @property
    def first_stage(self) -> FunnelStage:
        return next(s for s in self.stages if s.outcome == StageOutcome.OPEN)

    def stage(self, code: str) -> FunnelStage | None:
        return next((s for s in self.stages if s.code == code), None)


class FunnelStage(Base):
    __tablename__ = "funnel_stage"
    __audited__ = True
    __table_args__ = (UniqueConstraint("funnel_id", "code", name="uq_funnel_stage_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    funnel_id: Mapped[int] = mapped_column(ForeignKey("funnel.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)
    probability: Mapped[int] = mapped_column(Integer, default=0)  # percent
    stuck_after_days: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(10), default=StageOutcome.OPEN)

    funnel: Mapped[Funnel] = relationship(back_populates="stages")


class LossReason(Base):
    """A configurable reason for a lost deal (the list admins maintain)."""

    __tablename__ = "loss_reason"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


_WON = ("won", "Выиграна", 100, None, StageOutcome.WON)
_LOST = ("lost", "Проиграна", 0, None, StageOutcome.LOST)
DEFAULT_FUNNELS: dict[str, tuple[str, str, tuple[tuple, ...]]] = {
    "person": ("Физлица", "person", (
        ("new", "Новый", 10, 3, StageOutcome.OPEN),
        ("consultation", "Консультация", 40, 7, StageOutcome.OPEN),
        ("payment", "Оплата", 80, 5, StageOutcome.OPEN),
        _WON, _LOST)),
    "company": ("Юрлица", "company", (
        ("new", "Новый", 5, 3, StageOutcome.OPEN),
        ("qualification", "Квалификация", 15, 7, StageOutcome.OPEN),
        ("underwriting", "Расчёт и андеррайтинг", 30, 14, StageOutcome.OPEN),
        ("offer_sent", "КП отправлено", 50, 10, StageOutcome.OPEN),
        ("negotiation", "Переговоры", 70, 14, StageOutcome.OPEN),
        ("contract", "Договор", 90, 10, StageOutcome.OPEN),
        _WON, _LOST)),
    "state": ("Госзаказчики", "state", (
        ("new", "Новый", 5, 5, StageOutcome.OPEN),
        ("tender_prep", "Подготовка к тендеру", 20, 14, StageOutcome.OPEN),
        ("tender", "Тендер", 40, 30, StageOutcome.OPEN),
        ("contract", "Заключение контракта", 85, 20, StageOutcome.OPEN),
        _WON, _LOST)),
    # Renewals of existing contracts (``models.contracts``): not a client kind, never picked
    # by ``funnel_for_kind``; «Продлено» needs the new contract's data, «Не продлено» a reason.
    "renewal": ("Продление", "renewal", (
        ("preparation", "Подготовка", 20, 14, StageOutcome.OPEN),
        ("offer_sent", "КП на продление", 50, 14, StageOutcome.OPEN),
        ("negotiation", "Переговоры", 70, 14, StageOutcome.OPEN),
        ("won", "Продлено", 100, None, StageOutcome.WON),
        ("lost", "Не продлено", 0, None, StageOutcome.LOST))),
}
DEFAULT_LOSS_REASONS = ("Дорого", "Выбрали конкурента", "Не прошли андеррайтинг",
                        "Клиент отказался от страхования", "Проиграли тендер", "Нет ответа",
                        "Ушёл к другому брокеру", "Прекратил деятельность")


def ensure_default_funnels(session: Session) -> int:
    """Create the standard funnels and loss reasons that are missing; returns how many funnels."""
    existing = {f.code for f in session.scalars(select(Funnel))}
    created = 0
    for code, (name, kind, stages) in DEFAULT_FUNNELS.items():
        if code in existing:
            continue
        funnel = Funnel(code=code, name=name, client_kind=kind)
        for position, (s_code, s_name, probability, stuck, outcome) in enumerate(stages, 1):
            funnel.stages.append(FunnelStage(code=s_code, name=s_name, position=position,
                                             probability=probability, stuck_after_days=stuck,
                                             outcome=outcome))
        session.add(funnel)
        created += 1
    reasons = set(session.scalars(select(LossReason.name)))
    session.add_all(LossReason(name=n) for n in DEFAULT_LOSS_REASONS if n not in reasons)
    session.flush()
    return created


def funnel_by_code(session: Session, code: str) -> Funnel | None:
    return session.scalar(select(Funnel).where(Funnel.code == code))


def funnel_for_kind(session: Session, client_kind: str) -> Funnel | None:
    """The active funnel serving ``client_kind`` (ИП are served by the юрлица funnel)."""
    kind = "company" if client_kind == "entrepreneur" else client_kind
    return session.scalar(select(Funnel).where(Funnel.client_kind == kind, Funnel.is_active)
                          .order_by(Funnel.id))
