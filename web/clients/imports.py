"""Import pages: upload, column mapping, dry run or run in the background, progress, report, revert."""

from __future__ import annotations

from flask import (
    Response,
    after_this_request,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from models.clients.imports.batches import MODE_LABELS, OUTCOME_LABELS, STATUS_LABELS, ImportMode
from models.clients.imports.files import IMPORT_FIELDS, ImportFileError
from models.clients.imports.service import (
    ImportNotStartable,
    ImportSettingsInvalid,
    import_page,
    import_progress,
    queue_import,
    recent_imports,
    rejected_report,
    revert,
    upload,
)
from models.platform.db import db
from models.platform.permissions import Permission, require
from web.clients import bp
from web.scheduler import run_soon
from web.security import clock


def _upload_page(status: int = 200, mode: str = ImportMode.CREATE.value):
    return render_template("clients/import_upload.html", recent=recent_imports(db.session, current_user),
                           modes=MODE_LABELS, mode=mode, statuses=STATUS_LABELS), status


def _batch_page(batch_id: int, status: int = 200, mapping: dict[str, str] | None = None,
                mode: str | None = None):
    page = import_page(db.session, current_user, batch_id, mapping=mapping, mode=mode)
    return render_template("clients/import_batch.html", batch=page.batch, fields=IMPORT_FIELDS,
                           modes=MODE_LABELS, statuses=STATUS_LABELS, outcomes=OUTCOME_LABELS,
                           rows=page.rows, mapping=page.mapping, mode=page.mode, errors={}), status


@bp.get("/import")
def import_form():
    """Upload a CSV or XLSX file of clients."""
    require(current_user, Permission.IMPORT_CLIENTS)
    return _upload_page()


@bp.post("/import")
def import_upload():
    """Read the file and propose a column mapping; unreadable files are refused with the reason."""
    require(current_user, Permission.IMPORT_CLIENTS)
    file = request.files.get("file")
    mode = request.form.get("mode", ImportMode.CREATE.value)
    if file is None or not file.filename:
        flash("Выберите файл CSV или XLSX", "danger")
        return _upload_page(422, mode)
    try:
        batch = upload(db.session, current_user, file.read(), file.filename, mode)
    except ImportFileError as exc:
        flash(str(exc), "danger")
        return _upload_page(422, mode)
    return redirect(url_for("clients.import_batch", batch_id=batch.id))


@bp.get("/import/<int:batch_id>")
def import_batch(batch_id: int):
    """The batch: mapping to confirm, progress while it runs, results and rejected rows after."""
    return _batch_page(batch_id)


@bp.post("/import/<int:batch_id>/start")
def import_start(batch_id: int):
    """Queue the batch (dry run or real) with the confirmed mapping and mode."""
    columns = {key[len("map_"):]: value for key, value in request.form.items() if key.startswith("map_")}
    try:
        batch = queue_import(db.session, current_user, batch_id, columns, request.form.get("mode"),
                             dry_run=request.form.get("dry_run") == "1")
    except ImportNotStartable as exc:
        flash(exc.message, "warning")
        return redirect(url_for("clients.import_batch", batch_id=batch_id)), 303
    except ImportSettingsInvalid as exc:
        for problem in exc.problems:
            flash(problem, "danger")
        return _batch_page(batch_id, 422, mapping=exc.mapping, mode=exc.mode)
    app = current_app._get_current_object()

    @after_this_request
    def _start_soon(response: Response) -> Response:
        # Runs after the request's unit of work committed, so the job finds the batch queued.
        run_soon(app, "client_imports")
        return response

    return redirect(url_for("clients.import_batch", batch_id=batch.id))


@bp.get("/import/<int:batch_id>/status")
def import_status(batch_id: int):
    """Progress of the batch as JSON (polled by the progress bar)."""
    return import_progress(db.session, current_user, batch_id)


@bp.get("/import/<int:batch_id>/report.csv")
def import_report(batch_id: int):
    """Rejected and skipped rows with the reason for each, as CSV."""
    return Response(rejected_report(db.session, current_user, batch_id), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=import-{batch_id}-rejected.csv"})


@bp.post("/import/<int:batch_id>/revert")
def import_revert(batch_id: int):
    """Undo the whole import: created clients are deleted, updated ones restored."""
    try:
        result = revert(db.session, current_user, batch_id, clock().now())
    except ImportFileError as exc:
        flash(str(exc), "danger")
        return redirect(url_for("clients.import_batch", batch_id=batch_id)), 303
    flash(f"Импорт отменён: удалено клиентов {result['deleted']}, восстановлено {result['restored']}",
          "success")
    return redirect(url_for("clients.import_batch", batch_id=batch_id))
