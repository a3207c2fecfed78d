"""A client's insurance history, and the import of policies and claims (CSV/XLSX, row report).

Each view parses, calls one service of ``models.insurance`` and renders. An unreadable file
is refused with the reason (422) and nothing is stored; bad rows are rejected one by one
with their reasons and the good ones imported, as with clients.
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models.clients.imports.files import ImportFileError
from models.insurance.imports import FIELDS, KINDS, OUTCOME_LABELS
from models.insurance.policies import CLAIM_STATUS_LABELS, POLICY_STATUS_LABELS
from models.insurance.service import client_page, import_file, import_page, import_report, recent_imports
from models.platform.db import db
from web.insurance import bp
from web.security import clock


@bp.get("/clients/<int:client_id>")
def client(client_id: int):
    """Policies and claims of a client, premiums and losses by product and year, LTV potential."""
    page = client_page(db.session, current_user, client_id, clock().now().date())
    return render_template(
        "insurance/client.html",
        page=page,
        ctx=page.context,
        policy_statuses=POLICY_STATUS_LABELS,
        claim_statuses=CLAIM_STATUS_LABELS,
    )


def _upload_page(status: int = 200, error: str | None = None, kind: str = "policies"):
    return render_template(
        "insurance/import.html",
        recent=recent_imports(db.session, current_user),
        kinds=KINDS,
        fields=FIELDS,
        error=error,
        kind=kind,
    ), status


@bp.get("/import")
def import_form():
    """Upload a file of policies or claims."""
    return _upload_page()


@bp.post("/import")
def import_upload():
    """Import the file at once (or try it: a dry run writes nothing but the results)."""
    upload = request.files.get("file")
    kind = request.form.get("kind", "policies")
    data = upload.read() if upload is not None else b""
    try:
        batch = import_file(
            db.session,
            current_user,
            kind,
            data,
            upload.filename if upload else "",
            dry_run=bool(request.form.get("dry_run")),
            now=clock().now(),
        )
    except ImportFileError as exc:
        flash(str(exc), "danger")
        return _upload_page(422, str(exc), kind)
    flash(
        ("Пробный прогон" if batch.dry_run else "Импорт") + f": создано {batch.created_count}, обновлено "
        f"{batch.updated_count}, без изменений {batch.skipped_count}, отклонено {batch.rejected_count}",
        "success",
    )
    return redirect(url_for("insurance.import_result", batch_id=batch.id))


@bp.get("/import/<int:batch_id>")
def import_result(batch_id: int):
    """What happened to each row that was not simply created."""
    page = import_page(db.session, current_user, batch_id)
    return render_template(
        "insurance/import_result.html", page=page, batch=page.batch, kinds=KINDS, outcomes=OUTCOME_LABELS
    )


@bp.get("/import/<int:batch_id>/report.csv")
def import_report_csv(batch_id: int):
    """Rejected and unchanged rows with the reason for each, ready for Excel."""
    body = import_report(db.session, current_user, batch_id)
    return Response(
        body,
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename=insurance-import-{batch_id}.csv"},
    )
