"""Import pages: upload, column mapping, dry run or run in the background, progress, report, revert."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from models.clients.imports.batches import (
    MODE_LABELS,
    OUTCOME_LABELS,
    STATUS_LABELS,
    ClientImport,
    ImportMode,
    ImportRow,
    create_batch,
    report_csv,
    revert_import,
)
from models.clients.imports.files import IMPORT_FIELDS, ImportFileError
from models.platform.db import db
from models.platform.permissions import Permission, require, require_access, scoped
from web.clients import bp
from web.scheduler import run_soon
from web.security import clock

SHOWN_ROWS = 200


def _batch(batch_id: int) -> ClientImport:
    require(current_user, Permission.IMPORT_CLIENTS)
    batch = db.session.get(ClientImport, batch_id)
    if batch is None:
        abort(404)
    require_access(current_user, batch)
    return batch


def _upload_page(status: int = 200, mode: str = ImportMode.CREATE.value):
    recent = db.session.scalars(scoped(current_user, ClientImport).order_by(ClientImport.id.desc())
                                .limit(20)).all()
    return render_template("clients/import_upload.html", recent=recent, modes=MODE_LABELS,
                           mode=mode, statuses=STATUS_LABELS), status


@bp.get("/import")
def import_form():
    """Upload a CSV or XLSX file of clients."""
    require(current_user, Permission.IMPORT_CLIENTS)
    return _upload_page()


@bp.post("/import")
def import_upload():
    """Read the file and propose a column mapping; unreadable files are refused with the reason."""
    require(current_user, Permission.IMPORT_CLIENTS)
    upload = request.files.get("file")
    mode = request.form.get("mode", ImportMode.CREATE.value)
    if upload is None or not upload.filename:
        flash("Выберите файл CSV или XLSX", "danger")
        return _upload_page(422, mode)
    try:
        batch = create_batch(db.session, current_user, upload.read(), upload.filename, mode)
        db.session.commit()
    except ImportFileError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return _upload_page(422, mode)
    return redirect(url_for("clients.import_batch", batch_id=batch.id))


@bp.get("/import/<int:batch_id>")
def import_batch(batch_id: int):
    """The batch: mapping to confirm, progress while it runs, results and rejected rows after."""
    batch = _batch(batch_id)
    rows = {outcome: db.session.scalars(
        select(ImportRow).where(ImportRow.import_id == batch.id, ImportRow.outcome == outcome)
        .order_by(ImportRow.row_no).limit(SHOWN_ROWS)).all() for outcome in OUTCOME_LABELS}
    return render_template("clients/import_batch.html", batch=batch, fields=IMPORT_FIELDS,
                           modes=MODE_LABELS, statuses=STATUS_LABELS, outcomes=OUTCOME_LABELS,
                           rows=rows, mapping=batch.mapping or {}, errors={})


@bp.post("/import/<int:batch_id>/start")
def import_start(batch_id: int):
    """Queue the batch (dry run or real) with the confirmed mapping and mode."""
    batch = _batch(batch_id)
    if batch.status in ("queued", "running") or (batch.status != "draft" and not batch.dry_run):
        flash("Этот импорт уже запущен или выполнен", "warning")
        return redirect(url_for("clients.import_batch", batch_id=batch.id)), 303
    mapping = {str(i): request.form.get(f"map_{i}", "") for i in range(len(batch.headers))}
    mapping = {k: v for k, v in mapping.items() if v in IMPORT_FIELDS}
    mode = request.form.get("mode", batch.mode)
    problems = []
    if mode not in {m.value for m in ImportMode}:
        problems.append("Выберите режим импорта")
    if not {"full_name", "inn"} & set(mapping.values()):
        problems.append("Сопоставьте хотя бы столбец «Наименование» или «ИНН»")
    if problems:
        for problem in problems:
            flash(problem, "danger")
        batch.mapping, batch.mode = mapping, mode  # shown back as chosen, not saved
        page = import_batch(batch_id)
        db.session.rollback()
        return page, 422
    batch.mapping, batch.mode = mapping, mode
    batch.dry_run = request.form.get("dry_run") == "1"
    batch.status, batch.started_at, batch.finished_at = "queued", None, None
    db.session.query(ImportRow).filter(ImportRow.import_id == batch.id).delete()
    db.session.commit()
    run_soon(current_app._get_current_object(), "client_imports")
    return redirect(url_for("clients.import_batch", batch_id=batch.id))


@bp.get("/import/<int:batch_id>/status")
def import_status(batch_id: int):
    """Progress of the batch as JSON (polled by the progress bar)."""
    return _batch(batch_id).progress()


@bp.get("/import/<int:batch_id>/report.csv")
def import_report(batch_id: int):
    """Rejected and skipped rows with the reason for each, as CSV."""
    batch = _batch(batch_id)
    return Response(report_csv(db.session, batch), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=import-{batch.id}-rejected.csv"})


@bp.post("/import/<int:batch_id>/revert")
def import_revert(batch_id: int):
    """Undo the whole import: created clients are deleted, updated ones restored."""
    batch = _batch(batch_id)
    try:
        result = revert_import(db.session, current_user, batch, clock().now())
        db.session.commit()
    except ImportFileError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("clients.import_batch", batch_id=batch.id)), 303
    flash(f"Импорт отменён: удалено клиентов {result['deleted']}, восстановлено {result['restored']}",
          "success")
    return redirect(url_for("clients.import_batch", batch_id=batch.id))
