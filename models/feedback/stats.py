"""NPS per manager, product and process, and the answers on the client's timeline.

NPS = share of promoters (9–10) minus share of detractors (0–6), in points from −100 to 100,
over the answers whose moment falls in the period. Read by the reports page's NPS section.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.collaboration.timeline import Entry, Scope
from models.feedback.surveys import LOW_SCORE, PROCESSES, FeedbackSurvey
from models.identity.users import User
from models.platform.permissions import Permission, require


@dataclass(frozen=True)
class NpsRow:
    name: str
    answers: int
    promoters: int
    detractors: int

    @property
    def nps(self) -> int:
        return round(100 * (self.promoters - self.detractors) / self.answers) if self.answers else 0


@dataclass(frozen=True)
class NpsReport:
    total: NpsRow
    by_manager: list[NpsRow]
    by_product: list[NpsRow]
    by_process: list[NpsRow]
    sent: int


def _rows(groups: dict[str, list[int]]) -> list[NpsRow]:
    rows = [NpsRow(name, len(scores), sum(s >= 9 for s in scores), sum(s <= LOW_SCORE for s in scores))
            for name, scores in groups.items()]
    return sorted(rows, key=lambda r: (-r.answers, r.name))


def nps_report(session: Session, user: User, since: datetime | None = None,
               until: datetime | None = None) -> NpsReport:
    """The NPS figures of the answers between ``since`` and ``until`` (both optional)."""
    require(user, Permission.VIEW_REPORTS)
    stmt = select(FeedbackSurvey.score, FeedbackSurvey.owner_id, FeedbackSurvey.product,
                  FeedbackSurvey.process).where(FeedbackSurvey.answered_at.is_not(None))
    if since is not None:
        stmt = stmt.where(FeedbackSurvey.answered_at >= since)
    if until is not None:
        stmt = stmt.where(FeedbackSurvey.answered_at < until)
    people = session.execute(select(User.id, User.full_name))
    names: dict[int | None, str] = {uid: name for uid, name in people}
    managers: dict[str, list[int]] = defaultdict(list)
    products: dict[str, list[int]] = defaultdict(list)
    processes: dict[str, list[int]] = defaultdict(list)
    everything: list[int] = []
    for score, owner_id, product, process in session.execute(stmt.limit(200_000)):
        if score is None:
            continue
        everything.append(score)
        managers[names.get(owner_id, "без ответственного")].append(score)
        products[product or "без продукта"].append(score)
        processes[PROCESSES.get(process, process)].append(score)
    sent = len(session.scalars(select(FeedbackSurvey.id).where(FeedbackSurvey.sent_at.is_not(None))).all())
    return NpsReport(_rows({"Все ответы": everything})[0] if everything else NpsRow("Все ответы", 0, 0, 0),
                     _rows(managers), _rows(products), _rows(processes), sent)


def timeline_answers(session: Session, scope: Scope) -> list[Entry]:
    """``feedback`` timeline source: the client's answers (a deal's feed: those about the deal)."""
    if scope.people is not None:
        return []  # answers come from the client, not from an employee
    where = (FeedbackSurvey.deal_id == scope.deal_id if scope.deal_id is not None
             else FeedbackSurvey.client_id == scope.client_id)
    stmt = select(FeedbackSurvey).where(where, FeedbackSurvey.answered_at.is_not(None))
    if scope.before is not None:
        stmt = stmt.where(FeedbackSurvey.answered_at <= scope.before)
    rows = session.scalars(stmt.order_by(FeedbackSurvey.answered_at.desc(), FeedbackSurvey.id.desc())
                           .limit(scope.limit))
    return [Entry(s.answered_at, "feedback", s.id, "Отзыв клиента",  # type: ignore[arg-type]
                  f"Оценка {s.score} из 10 ({PROCESSES.get(s.process, s.process).lower()})",
                  [f"Комментарий: {s.comment}"] if s.comment else [], None, "client", s.client_id)
            for s in rows]
