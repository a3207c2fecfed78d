"""A process task's form on a page: what the inbox task page and the lead card share.

Both pages read the form through the engine (the version's own form), draw it with the
``forms/_fields.html`` macro, parse the posted form with ``web.forms.parser`` and complete
the task through ``models.tasks.process_tasks``; a refusal removes the request's uploads
and hands back what was typed with the Russian messages, so the page can show it again.
"""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from engine.errors import FormValidationError
from engine.tables import HumanTask
from models.clients.queries import client_exists, client_label
from models.platform.db import db
from models.tasks.process_tasks import Completion, complete_process_task
from web.engine_support import process_engine
from web.forms.fields import FormField
from web.forms.parser import discard_uploads, parse_form, upload_saver


class FormRefused(Exception):
    """The form was not accepted: ``typed`` is what the person entered, ``errors`` why (per field)."""

    def __init__(self, typed: dict, errors: dict[str, list[str]]) -> None:
        super().__init__("Форма заполнена с ошибками")
        self.typed = typed
        self.errors = errors


def task_form(row: HumanTask) -> tuple[dict, dict]:
    """(JSON Schema, UI hints) of the task's form, as deployed with its process version."""
    return process_engine().task_form(row)


def picker_clients(fields: list[FormField]) -> dict[str, str]:
    """Names of the clients chosen in the form's ``client`` widgets (id as text → name), for the
    typeahead boxes to show; other clients are suggested as the user types, never listed."""
    chosen = {str(f.value) for f in fields if f.widget == "client" and str(f.value or "").isdecimal()}
    names = {}
    for value in chosen:
        name = client_label(db.session, current_user, int(value))
        if name is not None:
            names[value] = name
    return names


def _client_exists(client_id: int) -> bool:
    return client_exists(db.session, client_id)


def submit_task_form(row: HumanTask, *, card: object | None = None) -> Completion:
    """Complete ``row`` with the posted form; ``FormRefused`` when it does not pass.

    Other refusals (``AccessDenied``, ``ConflictError``) propagate to the caller; in every
    refusal the files uploaded with this request are removed again.
    """
    engine = process_engine()
    schema, ui = engine.task_form(row)
    instance_dir = current_app.extensions["crm.settings"].instance_dir
    saver = upload_saver(instance_dir / "uploads")
    saved: list[str] = []

    def save(upload: FileStorage) -> str:
        saved.append(saver(upload))
        return saved[-1]

    submission = parse_form(schema, ui, request.form, request.files, save, _client_exists)
    try:
        return complete_process_task(
            db.session, engine, current_user, row.id, submission.data,
            field_errors=submission.errors, card=card,
        )
    except FormValidationError as exc:
        discard_uploads(instance_dir, saved)
        raise FormRefused(submission.typed, {**exc.errors, **submission.errors}) from exc
    except BaseException:
        discard_uploads(instance_dir, saved)
        raise
