"""Pages of the process administration; the reading is the engine façade's (``engine.monitoring``).

Admins and analysts look (``VIEW_PROCESSES``); only admins retry incidents and cancel
instances (``MANAGE_PROCESSES``). Every change goes through the engine; the request's unit
of work commits it. Engine errors (409 conflict, 404 unknown id) are answered by
``web.errors``.
"""

from __future__ import annotations

import json

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine import monitoring
from engine.tables import InstanceStatus
from models.platform.durations import duration_text
from models.platform.permissions import Permission, has_permission, require
from models.platform.roles import DEPARTMENTS, ROLE_LABELS
from web.engine_support import process_engine
from web.processes import bp

PAGE_SIZE = 50

STATUS_LABELS = {
    "running": "Выполняется",
    "waiting": "Ожидает",
    "error": "Ошибка",
    "completed": "Завершён",
    "cancelled": "Отменён",
}
STATUS_BADGES = {"running": "primary", "waiting": "info", "error": "danger", "completed": "success",
                 "cancelled": "secondary"}
EVENT_LABELS = {
    "instance_started": "Процесс запущен",
    "task_completed": "Шаг выполнен",
    "user_task_completed": "Задача выполнена",
    "timer_fired": "Сработал таймер",
    "event_caught": "Получено событие",
    "message_received": "Получено сообщение",
    "signal_received": "Получен сигнал",
    "incident": "Инцидент",
    "incident_retry": "Повтор после инцидента",
    "instance_completed": "Процесс завершён",
    "instance_cancelled": "Процесс отменён",
    "migrated": "Перенесён на новую версию",
}


@bp.before_request
def _only_process_viewers() -> None:
    require(current_user, Permission.VIEW_PROCESSES)


def as_json(value: object) -> str:
    """Process data for reading: indented JSON, Cyrillic kept (Jinja escapes it on output)."""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


def duration(ms: float | None) -> str:
    """A step's duration in milliseconds as «120 мс», «45 с», «2 дн. 4 ч» (the platform's one formatter)."""
    return duration_text(None if ms is None else ms / 1000, precise=True)


@bp.context_processor
def _helpers() -> dict:
    return {"status_labels": STATUS_LABELS, "status_badges": STATUS_BADGES,
            "event_labels": EVENT_LABELS, "as_json": as_json, "duration": duration,
            "role_labels": ROLE_LABELS, "departments": DEPARTMENTS,
            "active_statuses": InstanceStatus.ACTIVE,
            "can_manage": has_permission(current_user, Permission.MANAGE_PROCESSES)}


@bp.get("")
def index():
    """Deployed processes: versions, who deployed them, instance counts by status."""
    definitions = process_engine().definitions_overview()
    return render_template("processes/index.html", definitions=definitions, statuses=monitoring.STATUSES)


@bp.get("/instances")
def instances():
    """Instances filtered by process, status and business object, newest first."""
    status = request.args.get("status") or None
    flt = monitoring.InstanceFilter(
        process_key=request.args.get("process") or None,
        status=status if status in monitoring.STATUSES else None,
        business_type=(request.args.get("business_type") or "").strip() or None,
        business_id=request.args.get("business_id", type=int),
    )
    page = process_engine().instance_list(flt, request.args.get("before", type=int), PAGE_SIZE)
    return render_template("processes/instances.html", rows=page.rows, flt=flt, next_cursor=page.next_cursor,
                           first_page="before" not in request.args, keys=page.keys,
                           statuses=monitoring.STATUSES)


@bp.get("/instances/<int:instance_id>")
def instance(instance_id: int):
    """One instance: status, open tasks, history, data and incidents."""
    detail = process_engine().instance_detail(instance_id)
    return render_template("processes/instance.html", d=detail, i=detail.instance)


@bp.get("/definitions/<int:definition_id>/source")
def source(definition_id: int):
    """The BPMN XML of one deployed version, read-only."""
    definition = process_engine().definition_source(definition_id)
    return render_template("processes/source.html", definition=definition)


@bp.post("/incidents/<int:incident_id>/retry")
def retry(incident_id: int):
    """Run the failed step again; a new failure stays an open incident with one more attempt."""
    require(current_user, Permission.MANAGE_PROCESSES)
    incident = process_engine().retry_incident(incident_id, current_user.id)
    if incident.status == "resolved":
        flash("Шаг выполнен повторно, инцидент закрыт", "success")
    else:
        flash(f"Повтор не удался: {incident.error}", "warning")
    return redirect(url_for("processes.instance", instance_id=incident.instance_id))


@bp.post("/instances/<int:instance_id>/cancel")
def cancel(instance_id: int):
    """Cancel a running instance; the reason is required and lands in its history."""
    require(current_user, Permission.MANAGE_PROCESSES)
    reason = (request.form.get("reason") or "").strip()
    if not reason:
        detail = process_engine().instance_detail(instance_id)
        return render_template("processes/instance.html", d=detail, i=detail.instance,
                               cancel_error="Укажите причину отмены процесса"), 422
    process_engine().cancel(instance_id, current_user.id, reason)
    flash("Процесс отменён", "success")
    return redirect(url_for("processes.instance", instance_id=instance_id))
