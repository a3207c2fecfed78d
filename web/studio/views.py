"""Studio pages: the list of processes, one process (versions, owner, feedback), new processes."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from models.platform.db import db
from models.studio.drafts import new_process
from models.studio.owners import set_owner
from models.studio.pages import process_page, studio_index
from models.studio.tables import FEEDBACK_LABELS
from web.engine_support import process_engine
from web.security import clock
from web.studio import bp


@bp.get("")
def index():
    """Every process with its version, owner, the user's draft and feedback; a new process form."""
    page = studio_index(db.session, process_engine(), current_user)
    return render_template("studio/index.html", page=page)


@bp.post("/processes")
def create():
    """Start a new process as a draft and open it in the editor."""
    key = (request.form.get("key") or "").strip()
    draft = new_process(
        db.session, process_engine(), current_user, key, request.form.get("name") or "", clock().now()
    )
    return redirect(url_for("studio.edit", key=draft.process_key))


@bp.get("/processes/<key>")
def process(key: str):
    """One process: versions with who deployed them and why, owner, feedback, triggers."""
    page = process_page(db.session, process_engine(), current_user, key)
    return render_template("studio/process.html", page=page, feedback_labels=FEEDBACK_LABELS)


@bp.post("/processes/<key>/owner")
def owner(key: str):
    """Set who answers for the process (and gets the feedback on its steps)."""
    user_id = request.form.get("user_id", type=int) or 0
    set_owner(db.session, current_user, key, user_id, clock().now())
    flash("Владелец процесса назначен", "success")
    return redirect(url_for("studio.process", key=key))
