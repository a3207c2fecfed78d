"""Custom reports on deals answered from ``report_deal_total`` when the definition allows it.

«Premium by manager» for a senior manager aggregated ~860,000 deals of the department on every
run (p95 1.1–1.2 s at 1,000,000 deals). A report grouped only by the owner, funnel, stage or
status, with counts and premium sums and no filters, is the same figure summed over the totals
kept per (owner, funnel, stage, status) in the deal's own transaction — a few hundred rows.
Anything else (other fields, filters, averages, minimum and maximum) runs on the deals as before.

Rights: the rows are narrowed by the deal's own scope rule (``scoped``), asked per owner: an
owner's totals count only when one of that owner's deals is visible to the viewer. That is
exact while the rule decides by the owner (a manager: own; a senior: the department; the
head and the readers of every client: all), which is what the summaries keyed by owner assume.
Labels, their joins and the order are built as ``custom._grouped_by_keys`` builds them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from models.identity.users import User
from models.platform.permissions import scoped
from models.reports.tables import DealTotal
from models.sales.deals import Deal
from models.sales.funnels import Funnel, FunnelStage

# group-by field -> what the totals are grouped by, and the join that expression needs. The owner
# is grouped by its id and labelled afterwards (``ReportField.key``); the funnel and the stage by
# their names and the status by itself, as ``custom.run_report`` groups them.
_GROUPS: dict[str, tuple[Any, Any]] = {
    "owner": (DealTotal.owner_id, None),
    "funnel": (Funnel.name, (Funnel, Funnel.id == DealTotal.funnel_id)),
    "stage": (FunnelStage.name, (FunnelStage, FunnelStage.id == DealTotal.stage_id)),
    "status": (DealTotal.status, None),
}


def answerable(definition: dict[str, Any]) -> bool:
    """Whether the totals hold exactly what ``definition`` asks (see the module's docstring)."""
    groups = [str(g) for g in definition.get("group_by") or []]
    measures = definition.get("measures") or [{"fn": "count"}]
    return (
        bool(groups)
        and all(g in _GROUPS for g in groups)
        and not definition.get("filters")
        and all(m.get("fn") == "count" or (m.get("fn") == "sum" and m.get("field") == "premium")
                for m in measures)
    )


def _visible(viewer: User) -> Any:
    """An owner's totals count when the viewer may see that owner's deals (owner 0: no owner).

    Two EXISTS, each one index probe per owner; a single EXISTS with an OR of both cases made
    PostgreSQL scan the deals once per totals row (20 s at 1,000,000 deals).
    """

    def some(condition: Any) -> Any:
        return scoped(viewer, Deal, select(literal(1)).select_from(Deal).where(condition)).exists()

    return or_(some(Deal.owner_id == DealTotal.owner_id),
               and_(DealTotal.owner_id == 0, some(Deal.owner_id.is_(None))))


def total_rows(session: Session, viewer: User, definition: dict[str, Any]) -> list[list[Any]]:
    """The report's rows (group labels, then the measures) from the totals; see ``answerable``."""
    groups = [str(g) for g in definition.get("group_by") or []]
    measures = definition.get("measures") or [{"fn": "count"}]
    keys = [_GROUPS[g][0].label(f"c{i}") for i, g in enumerate(groups)]
    values = [
        func.sum(DealTotal.n) if m["fn"] == "count"
        else case((func.sum(DealTotal.n_premium) > 0, func.sum(DealTotal.premium_kop)))
        for m in measures
    ]
    inner_stmt = select(*keys, *(v.label(f"m{i}") for i, v in enumerate(values))).select_from(DealTotal)
    for g in groups:
        join = _GROUPS[g][1]
        if join is not None:
            inner_stmt = inner_stmt.outerjoin(*join)
    inner = inner_stmt.where(_visible(viewer), DealTotal.n > 0).group_by(*keys).subquery()
    outer = select(inner).select_from(inner)
    labels: list[Any] = []
    for i, g in enumerate(groups):
        if g == "owner":
            outer = outer.outerjoin(User, User.id == inner.c[f"c{i}"])
            labels.append(User.full_name)
        else:
            labels.append(inner.c[f"c{i}"])
    stmt = outer.with_only_columns(*labels, *(inner.c[f"m{i}"] for i in range(len(measures))))
    rows = [list(r) for r in session.execute(stmt.order_by(*labels))]
    for row in rows:
        for i, m in enumerate(measures):
            value = row[len(groups) + i]
            if m["fn"] == "sum" and value is not None:
                row[len(groups) + i] = (Decimal(int(value)) / 100).quantize(Decimal("0.01"))
            elif value is not None:
                row[len(groups) + i] = int(value)
    return rows
