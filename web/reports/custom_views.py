"""Custom report pages: the list, the builder, a report with its chart, CSV and XLSX downloads, delete.

Each view parses, calls one service of ``models.reports`` and renders; a definition that
cannot run answers 422 with the builder and the Russian messages.
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models.platform.db import db
from models.platform.roles import ROLE_LABELS
from models.reports.custom import BUCKETS, CHARTS, MEASURES, OPS, ReportDefinitionError
from models.reports.entities import entities
from models.reports.exports import to_csv, to_xlsx
from models.reports.saved import delete_report, get_report, report_result, save_report, visible_reports
from web.reports import bp
from web.reports.charts import report_chart
from web.security import clock


def _builder(errors: dict | None = None, status: int = 200):
    available = entities()
    entity = available.get(request.values.get("entity", "")) or next(iter(available.values()))
    return render_template(
        "reports/custom_new.html",
        entities=available,
        entity=entity,
        measures=MEASURES,
        ops=OPS,
        buckets=BUCKETS,
        charts=CHARTS,
        roles=ROLE_LABELS,
        errors=errors or {},
        form=request.form,
    ), status


@bp.get("/custom")
def custom_list():
    """My reports and those shared with my role."""
    return render_template(
        "reports/custom_list.html", reports=visible_reports(db.session, current_user), entities=entities()
    )


@bp.get("/custom/new")
def custom_new():
    """The report builder for the chosen entity."""
    return _builder()


@bp.post("/custom/new")
def custom_create():
    """Keep the report the builder describes."""
    try:
        report = save_report(
            db.session,
            current_user,
            request.form.to_dict(),
            request.form.getlist("shared_roles"),
            clock().now(),
        )
    except ReportDefinitionError as exc:
        flash(str(exc), "danger")
        return _builder(exc.errors, 422)
    flash("Отчёт сохранён", "success")
    return redirect(url_for("reports.custom_show", report_id=report.id))


@bp.get("/custom/<int:report_id>")
def custom_show(report_id: int):
    """The report run with my rights: chart and table, links to the files."""
    report = get_report(db.session, current_user, report_id)
    result = report_result(db.session, current_user, report)
    return render_template(
        "reports/custom_show.html",
        report=report,
        result=result,
        entity=entities().get(report.entity),
        chart=report_chart(report.chart, result),
    )


def _file(report_id: int, kind: str) -> Response:
    report = get_report(db.session, current_user, report_id)
    result = report_result(db.session, current_user, report)
    if kind == "csv":
        body, mime = to_csv(result), "text/csv; charset=utf-8"
    else:
        body, mime = (
            to_xlsx([(report.name, result)]),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response = Response(body, mimetype=mime)
    response.headers["Content-Disposition"] = f"attachment; filename=report-{report.id}.{kind}"
    return response


@bp.get("/custom/<int:report_id>.csv")
def custom_csv(report_id: int):
    """The report as CSV for Excel (BOM, «;»)."""
    return _file(report_id, "csv")


@bp.get("/custom/<int:report_id>.xlsx")
def custom_xlsx(report_id: int):
    """The report as XLSX with typed cells."""
    return _file(report_id, "xlsx")


@bp.post("/custom/<int:report_id>/delete")
def custom_delete(report_id: int):
    """Delete my report."""
    delete_report(db.session, current_user, report_id)
    flash("Отчёт удалён", "success")
    return redirect(url_for("reports.custom_list"))


@bp.get("/export")
def export_docs():
    """The BI feed's description: entities, columns and types, paging with the cursor."""
    return render_template("reports/export.html", entities=entities())
