"""The data the dashboard's charts draw, as JSON for a ``<script type="application/json">`` tag.

Each chart comes inside its dashboard part's fragment; the page's script (``static/reports.js``)
only reads it: no inline scripts, so a strict Content-Security-Policy can forbid them.
"""

from __future__ import annotations

from models.reports.custom import ReportResult
from models.reports.pages import Dashboard


def part_chart(name: str, page: Dashboard) -> dict | None:
    """The chart data of one dashboard part (``funnel``, ``forecast``, ``plan``); ``None`` for the rest."""
    if name == "funnel":
        return {
            "labels": [s.name for s in page.steps],
            "current": [s.n for s in page.steps],
            "previous": [s.previous for s in page.steps],
            "period": page.filter.period.label,
            "previousPeriod": page.filter.period.previous().label,
        }
    if name == "forecast":
        return {
            "labels": [f.label for f in page.forecasts],
            "pipeline": [float(f.pipeline) for f in page.forecasts],
            "best": [float(f.best) for f in page.forecasts],
            "commit": [float(f.commit) for f in page.forecasts],
            "weighted": [float(f.weighted) for f in page.forecasts],
        }
    if name == "plan":
        return {
            "labels": [r.user.full_name for r in page.plan],
            "plan": [float(r.plan_premium) for r in page.plan],
            "fact": [float(r.won_premium) for r in page.plan],
        }
    return None


def report_chart(kind: str, result: ReportResult) -> dict:
    """A custom report's chart: labels from the group-by columns, one dataset per measure."""
    numeric = ("int", "money", "percent", "number")
    keys = [i for i, c in enumerate(result.columns) if c.type not in numeric]
    values = [i for i, c in enumerate(result.columns) if c.type in numeric]
    if kind == "table" or not keys or not values:
        return {"type": "table"}
    labels = [" / ".join("—" if row[i] is None else str(row[i]) for i in keys) for row in result.rows]
    return {
        "type": kind,
        "labels": labels,
        "datasets": [
            {
                "label": result.columns[i].label,
                "data": [float(row[i]) if row[i] is not None else 0 for row in result.rows],
            }
            for i in values
        ],
    }
