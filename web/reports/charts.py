"""The data the dashboard's charts draw, as JSON for a ``<script type="application/json">`` tag.

The page's script (``static/reports.js``) only reads it: no inline scripts, so a strict
Content-Security-Policy can forbid them.
"""

from __future__ import annotations

from models.reports.pages import Dashboard


def dashboard_charts(page: Dashboard) -> dict:
    return {
        "funnel": {"labels": [s.name for s in page.steps], "current": [s.n for s in page.steps],
                   "previous": [s.previous for s in page.steps],
                   "period": page.filter.period.label, "previousPeriod": page.filter.period.previous().label},
        "forecast": {"labels": [f.label for f in page.forecasts],
                     "pipeline": [float(f.pipeline) for f in page.forecasts],
                     "best": [float(f.best) for f in page.forecasts],
                     "commit": [float(f.commit) for f in page.forecasts],
                     "weighted": [float(f.weighted) for f in page.forecasts]},
        "plan": {"labels": [r.user.full_name for r in page.plan],
                 "plan": [float(r.plan_premium) for r in page.plan],
                 "fact": [float(r.won_premium) for r in page.plan]},
    }
