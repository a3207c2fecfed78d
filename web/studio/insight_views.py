"""Looking at processes on the diagram: the diff of two versions, an instance, analytics, simulation."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, time

from flask import Response, current_app, jsonify, render_template, request, url_for
from flask_login import current_user

from engine.analytics import AnalyticsFilter
from models.platform.db import db
from models.platform.permissions import Permission, has_permission
from models.studio import simulations
from models.studio.errors import StudioError
from models.studio.feedback import feedback_counts
from web.engine_support import process_engine
from web.studio import bp
from web.studio.formatting import ms, pool_label, share, span
from web.studio.overlays import analytics_view, diff_view, instance_view, simulation_view


@bp.get("/processes/<key>/diff")
def diff(key: str):
    """Two versions side by side: added, changed and removed elements highlighted."""
    new = request.args.get("to", type=int)
    old = request.args.get("from", type=int) or None
    engine = process_engine()
    if new is None:
        new = engine.definition(key).version
    changes = engine.diff(key, old, new)
    return render_template(
        "studio/diff.html",
        key=key,
        new=new,
        old=old,
        diff=changes,
        new_url=url_for("studio.api_diff", key=key, side="new", to=new, **{"from": old or 0}),
        old_url=url_for("studio.api_diff", key=key, side="old", to=new, **{"from": old or 0}),
    )


@bp.get("/api/processes/<key>/diff/<side>")
def api_diff(key: str, side: str):
    """One side of the diff for the viewer."""
    new = request.args.get("to", type=int)
    old = request.args.get("from", type=int) or None
    engine = process_engine()
    if new is None or (side == "old" and old is None):
        raise StudioError("Нет версии для сравнения", status=404)
    changes = engine.diff(key, old, new)
    xml = engine.definition(key, new if side == "new" else old).source_xml
    return jsonify(diff_view(changes, xml, side))


@bp.get("/instances/<int:instance_id>")
def instance(instance_id: int):
    """An instance on its diagram: completed, active and failed nodes, the path, each step."""
    trace = process_engine().instance_trace(instance_id)
    return render_template(
        "studio/instance.html",
        trace=trace,
        i=trace.instance,
        can_manage=has_permission(current_user, Permission.MANAGE_PROCESSES),
    )


@bp.get("/api/instances/<int:instance_id>/view")
def api_instance(instance_id: int):
    return jsonify(instance_view(process_engine().instance_trace(instance_id)))


def _day(name: str) -> datetime | None:
    value = (request.args.get(name) or "").strip()
    if not value:
        return None
    try:
        return datetime.combine(datetime.strptime(value, "%Y-%m-%d").date(), time(0), UTC)
    except ValueError:
        raise StudioError(f"Дата «{value}»: ожидается ГГГГ-ММ-ДД") from None


def _filter(key: str) -> AnalyticsFilter:
    version = request.args.get("version", type=int)
    return AnalyticsFilter(
        key=key, versions=(version,) if version else (), since=_day("since"), until=_day("until")
    )


@bp.get("/processes/<key>/analytics")
def analytics(key: str):
    """Per node counts and durations, heat, bottlenecks, paths and KPIs, by period and version."""
    engine = process_engine()
    flt = _filter(key)
    data = engine.analytics(flt)
    versions = [
        v.version for v in next((d.versions for d in engine.definitions_overview() if d.key == key), [])
    ]
    if not versions:
        raise StudioError(f"Процесс «{key}» не развёрнут", status=404)
    names = {e: n.name or e for e, n in data.nodes.items()}
    return render_template(
        "studio/analytics.html",
        key=key,
        data=data,
        flt=flt,
        versions=versions,
        names=names,
        args=request.args,
        view_url=url_for("studio.api_analytics", key=key, **request.args),
        csv_url=url_for("studio.analytics_csv", key=key, **request.args),
        ms=ms,
        share=share,
    )


@bp.get("/api/processes/<key>/analytics")
def api_analytics(key: str):
    engine = process_engine()
    flt = _filter(key)
    xml = engine.definition(key, flt.versions[0] if flt.versions else None).source_xml
    return jsonify(analytics_view(engine.analytics(flt), feedback_counts(db.session, key), xml))


@bp.get("/processes/<key>/analytics.csv")
def analytics_csv(key: str):
    """The per-node table as CSV (semicolons, UTF-8 with BOM: opens in Excel)."""
    data = process_engine().analytics(_filter(key))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        [
            "Элемент",
            "Название",
            "Прошло",
            "Среднее, с",
            "p90, с",
            "Ожидание ср., с",
            "Работа ср., с",
            "Просрочено",
            "Эскалировано",
            "Инцидентов",
        ]
    )

    def sec(value: float | None) -> str:
        return "" if value is None else f"{value / 1000:.1f}".replace(".", ",")

    for element, node in sorted(data.nodes.items()):
        writer.writerow(
            [
                element,
                node.name or "",
                node.passed,
                sec(node.avg_ms),
                sec(node.p90_ms),
                sec(node.waiting_ms),
                sec(node.working_ms),
                node.sla_breaches,
                node.escalated,
                node.incidents,
            ]
        )
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{key}-analytics.csv"'},
    )


@bp.route("/processes/<key>/simulate", methods=["GET", "POST"])
def simulate(key: str):
    """Run a scenario on the current version and, side by side, on the user's draft."""
    posted = request.form.get("scenario") if request.method == "POST" else None
    done = simulations.simulate(
        db.session,
        process_engine(),
        current_app.extensions["crm.settings"],
        current_user,
        key,
        posted,
        bool(request.form.get("with_draft")),
    )
    text = posted or json.dumps(
        simulations.DEFAULT_SCENARIO.get(key, simulations.DEFAULT_SCENARIO["*"]), ensure_ascii=False, indent=2
    )
    views = [json.dumps(simulation_view(run, xml), ensure_ascii=False) for run, xml in done.runs]
    return render_template(
        "studio/simulate.html",
        key=key,
        text=text,
        runs=[run for run, _xml in done.runs],
        views=views,
        error=done.error,
        has_draft=done.has_draft,
        span=span,
        share=share,
        pool_label=pool_label,
    ), 422 if done.error else 200
