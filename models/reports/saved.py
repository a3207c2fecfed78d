"""Saved custom reports: kept with a name, shared with roles, opened and run with the viewer's rights.

Anyone who may use the CRM keeps own reports; sharing names roles (the author's report then
appears in their list). Opening a shared report never widens what a viewer sees: the run
starts from the viewer's scope (``models.reports.custom.run_report``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.identity.users import User
from models.platform.errors import NotFound
from models.platform.permissions import AccessDenied
from models.platform.roles import Role
from models.reports.custom import CHARTS, ReportDefinitionError, ReportResult, check_definition, run_report
from models.reports.stored import SavedReport

MANAGE_ALL = frozenset({Role.ADMIN})


def definition_from_form(form: dict[str, str]) -> dict[str, Any]:
    """The definition a report form describes (``group_1``/``group_2``, ``measure_fn``/``measure_field``,
    ``filter_field_N``/``filter_op_N``/``filter_value_N``)."""
    groups = [form[k] for k in ("group_1", "group_2") if form.get(k)]
    measures = []
    if form.get("measure_fn"):
        measures.append({"fn": form["measure_fn"], "field": form.get("measure_field") or None})
    filters = []
    for i in range(1, 4):
        if form.get(f"filter_field_{i}"):
            filters.append(
                {
                    "field": form[f"filter_field_{i}"],
                    "op": form.get(f"filter_op_{i}", "eq"),
                    "value": form.get(f"filter_value_{i}", ""),
                }
            )
    return {"group_by": groups, "measures": measures, "filters": filters}


def save_report(
    session: Session, user: User, form: dict[str, str], shared_roles: list[str], now: datetime
) -> SavedReport:
    """Check and keep the report the form describes; ``ReportDefinitionError`` (Russian) if it cannot run."""
    definition = definition_from_form(form)
    errors: dict[str, list[str]] = {}
    name = (form.get("name") or "").strip()
    if not name:
        errors["name"] = ["Назовите отчёт"]
    chart = form.get("chart") or "bar"
    if chart not in CHARTS:
        errors["chart"] = ["Неизвестный тип диаграммы"]
    bad_roles = [r for r in shared_roles if r not in {x.value for x in Role}]
    if bad_roles:
        errors["shared_roles"] = [f"Неизвестная роль: {', '.join(bad_roles)}"]
    try:
        check_definition(form.get("entity", ""), definition)
    except ReportDefinitionError as exc:
        errors.update(exc.errors)
    if errors:
        raise ReportDefinitionError(errors)
    report = SavedReport(
        name=name[:200],
        owner_id=user.id,
        entity=form["entity"],
        definition=definition,
        chart=chart,
        shared_roles=sorted(set(shared_roles)),
        created_at=now,
        updated_at=now,
    )
    session.add(report)
    session.flush()
    return report


def _may_open(user: User, report: SavedReport) -> bool:
    return (
        report.owner_id == user.id
        or user.role in (report.shared_roles or [])
        or Role(user.role) in MANAGE_ALL
    )


def visible_reports(session: Session, user: User) -> list[SavedReport]:
    """Own reports and those shared with the user's role, by name."""
    return [
        r
        for r in session.scalars(select(SavedReport).order_by(SavedReport.name, SavedReport.id))
        if _may_open(user, r)
    ]


def get_report(session: Session, user: User, report_id: int) -> SavedReport:
    report = session.get(SavedReport, report_id)
    if report is None:
        raise NotFound("Отчёт не найден")
    if not _may_open(user, report):
        raise AccessDenied("Этот отчёт вам не открыт")
    return report


def report_result(session: Session, viewer: User, report: SavedReport) -> ReportResult:
    """The report's rows as ``viewer`` may see them."""
    return run_report(session, viewer, report.entity, report.definition)


def delete_report(session: Session, user: User, report_id: int) -> None:
    report = get_report(session, user, report_id)
    if report.owner_id != user.id and Role(user.role) not in MANAGE_ALL:
        raise AccessDenied("Удалить отчёт может только его автор")
    session.delete(report)
    session.flush()
