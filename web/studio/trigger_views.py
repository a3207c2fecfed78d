"""Triggers on domain events (configured as data, with their log) and feedback on a task's step."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from models.platform.db import db
from models.platform.events import EVENTS
from models.studio.errors import StudioError
from models.studio.feedback import leave_feedback
from models.studio.triggers import TriggerInput, get_trigger, save_trigger, trigger_log, triggers
from web.engine_support import process_engine
from web.security import clock
from web.studio import bp

STATUS_LABELS = {
    "pending": "ждёт запуска",
    "started": "процесс запущен",
    "sent": "сообщение отправлено",
    "failed": "ошибка",
}


def _input() -> TriggerInput:
    """The trigger form: mapping lines «переменная = выражение»."""
    mapping: dict[str, str] = {}
    for number, line in enumerate((request.form.get("mapping") or "").splitlines(), 1):
        if not line.strip():
            continue
        name, sep, expression = line.partition("=")
        if not sep or not name.strip() or not expression.strip():
            raise StudioError(f"Сопоставление, строка {number}: ожидается «переменная = выражение»")
        mapping[name.strip()] = expression.strip()
    return TriggerInput(
        name=request.form.get("name") or "",
        event=request.form.get("event") or "",
        action=request.form.get("action") or "start",
        process_key=request.form.get("process_key") or None,
        message_name=request.form.get("message_name") or None,
        mapping=mapping,
        condition=request.form.get("condition") or None,
        active=bool(request.form.get("active")),
    )


def _known_process(key: str) -> bool:
    return process_engine().latest_definition(key) is not None


def _page(
    status: int = 200, error: str | None = None, form: dict | None = None, trigger_id: int | None = None
):
    keys = [d.key for d in process_engine().definitions_overview()]
    chosen = get_trigger(db.session, trigger_id) if trigger_id else None
    return render_template(
        "studio/triggers.html",
        triggers=triggers(db.session),
        events=EVENTS,
        keys=keys,
        log=trigger_log(db.session, trigger_id),
        chosen=chosen,
        error=error,
        form=form or {},
        status_labels=STATUS_LABELS,
    ), status


@bp.get("/triggers")
def trigger_list():
    """Triggers (event → process + mapping + condition) and the log of what they started."""
    return _page(trigger_id=request.args.get("trigger", type=int))


@bp.post("/triggers")
def trigger_create():
    try:
        trigger = save_trigger(db.session, current_user, _input(), clock().now(), _known_process)
    except StudioError as exc:
        return _page(422, exc.message, dict(request.form))
    flash(f"Триггер «{trigger.name}» сохранён", "success")
    return redirect(url_for("studio.trigger_list", trigger=trigger.id))


@bp.post("/triggers/<int:trigger_id>")
def trigger_update(trigger_id: int):
    try:
        trigger = save_trigger(db.session, current_user, _input(), clock().now(), _known_process, trigger_id)
    except StudioError as exc:
        if exc.status == 404:
            raise
        return _page(422, exc.message, dict(request.form), trigger_id)
    flash(f"Триггер «{trigger.name}» сохранён", "success")
    return redirect(url_for("studio.trigger_list", trigger=trigger.id))


@bp.post("/feedback/<int:task_id>")
def feedback(task_id: int):
    """Feedback on the step of a process task, from the task page, to the process owner."""
    try:
        leave_feedback(
            db.session,
            current_user,
            task_id,
            request.form.get("kind") or "",
            request.form.get("text") or "",
            clock().now(),
        )
    except StudioError as exc:
        from web.inbox.process_views import load_process_page, render_process

        flash(exc.message, "danger")
        return render_process(load_process_page(task_id), {}, {}, exc.status)
    flash("Спасибо! Отзыв передан владельцу процесса", "success")
    return redirect(url_for("inbox.process_task", task_id=task_id) + "#feedback")
