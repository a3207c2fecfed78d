"""Document pages: the archive, «Мои согласования», a document's card and its actions, the sign-off page.

Each view parses, calls one service of ``models.documents`` and renders or redirects; refusals
are answered by ``web.documents.refusals`` (the page again with the message and 4xx).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models.documents import pdf
from models.documents.approval import recall_approval, start_approval
from models.documents.details import save_details
from models.documents.documents import (
    DOCX_TYPE,
    generate_document,
    regenerate,
    upload_version,
    version_content,
    version_pdf,
)
from models.documents.kinds import DECISIONS, KINDS, STATUS_LABELS
from models.documents.pages import (
    ARCHIVE_PAGE,
    approval_sheet,
    archive,
    document_card,
    parse_archive_filter,
    version_diff,
)
from models.documents.sending import queue_edo, queue_email, retry_edo
from models.documents.sheet import sheet_docx
from models.documents.signoff import SignOff, decide, my_approvals, send_code
from models.platform.db import db
from web.documents import bp
from web.engine_support import process_engine
from web.formatting import viewer_zone
from web.security import clock


def _zone() -> ZoneInfo:
    return viewer_zone()


@bp.get("/")
def index():
    """The archive: search by client, deal, kind, status, number and period."""
    flt = parse_archive_filter(request.args)
    found = archive(db.session, current_user, flt, _zone(), ARCHIVE_PAGE + 1) if not flt.errors else []
    next_before = found[ARCHIVE_PAGE - 1].id if len(found) > ARCHIVE_PAGE else None
    return render_template(
        "documents/index.html", documents=found[:ARCHIVE_PAGE], flt=flt, kinds=KINDS, statuses=STATUS_LABELS,
        next_before=next_before,
    )


@bp.get("/approvals")
def approvals():
    """«Мои согласования»: documents waiting for my decision."""
    return render_template("documents/approvals.html", rows=my_approvals(db.session, current_user))


def render_document(document_id: int, status: int = 200):
    card = document_card(db.session, current_user, document_id)
    return render_template(
        "documents/show.html",
        card=card,
        doc=card.document,
        decisions=DECISIONS,
        pdf_available=pdf.available(),
    ), status


@bp.get("/<int:document_id>")
def show(document_id: int):
    """A document: its text, versions, approvals, sending history and what I may do."""
    return render_document(document_id)


@bp.post("/deals/<int:deal_id>/generate")
def generate(deal_id: int):
    """Generate a document of the deal from the latest template of the chosen kind."""
    document = generate_document(
        db.session,
        current_user,
        deal_id=deal_id,
        kind=request.form.get("kind"),
        now=clock().now(),
        template_id=request.form.get("template_id", type=int),
    )
    flash(f"Документ {document.number} сформирован", "success")
    return redirect(url_for("documents.show", document_id=document.id))


@bp.post("/<int:document_id>/versions")
def upload(document_id: int):
    """Upload a version edited in Word; approvals of earlier versions become invalid."""
    upload_file = request.files.get("file")
    data = upload_file.read() if upload_file else b""
    version = upload_version(
        db.session,
        current_user,
        document_id,
        filename=upload_file.filename or "" if upload_file else "",
        data=data,
        comment=request.form.get("comment"),
        now=clock().now(),
    )
    flash(f"Загружена версия v{version.number}", "success")
    return redirect(url_for("documents.show", document_id=document_id))


@bp.post("/<int:document_id>/regenerate")
def refill(document_id: int):
    """Fill the template again from today's deal and client: a new version."""
    version = regenerate(db.session, current_user, document_id, clock().now())
    flash(f"Сформирована версия v{version.number}", "success")
    return redirect(url_for("documents.show", document_id=document_id))


@bp.post("/<int:document_id>/approval")
def approve_start(document_id: int):
    """Send the current version on its approval route."""
    start_approval(db.session, process_engine(), current_user, document_id, clock().now())
    flash("Документ отправлен на согласование", "success")
    return redirect(url_for("documents.show", document_id=document_id))


@bp.post("/<int:document_id>/recall")
def recall(document_id: int):
    """The author takes the document back from approval."""
    recall_approval(db.session, process_engine(), current_user, document_id, clock().now())
    flash("Документ отозван с согласования", "success")
    return redirect(url_for("documents.show", document_id=document_id))


@bp.post("/<int:document_id>/send/email")
def send_email(document_id: int):
    """Send the current version by e-mail (through the outbox, once)."""
    sending = queue_email(db.session, current_user, document_id, request.form.get("to", ""), clock().now())
    flash(f"Отправлено на {sending.recipient}", "success")
    return redirect(url_for("documents.show", document_id=document_id))


@bp.post("/<int:document_id>/send/edo")
def send_edo(document_id: int):
    """Queue the current version for EDO."""
    queue_edo(db.session, current_user, document_id, clock().now())
    flash("Поставлено в очередь ЭДО", "success")
    return redirect(url_for("documents.show", document_id=document_id))


@bp.post("/<int:document_id>/sendings/<int:sending_id>/retry")
def retry(document_id: int, sending_id: int):
    """Retry an EDO sending stopped by an incident (same operationId)."""
    retry_edo(db.session, current_user, document_id, sending_id, clock().now())
    flash("Отправка через ЭДО повторяется", "success")
    return redirect(url_for("documents.show", document_id=document_id))


@bp.get("/<int:document_id>/versions/<int:number>/docx")
def download(document_id: int, number: int):
    """The version's DOCX as stored."""
    version = version_content(db.session, current_user, document_id, number)
    return Response(
        version.content,
        mimetype=DOCX_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{version.filename}"'.encode(
                "ascii", "replace"
            ).decode()
            + f"; filename*=UTF-8''{_quote(version.filename)}"
        },
    )


@bp.get("/<int:document_id>/versions/<int:number>/pdf")
def download_pdf(document_id: int, number: int):
    """The version as PDF (LibreOffice headless; 503 with a message where it is missing)."""
    version = version_pdf(db.session, current_user, document_id, number)
    return Response(
        version.pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"inline; filename*=UTF-8''{_quote(version.filename)}.pdf"},
    )


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@bp.get("/<int:document_id>/diff")
def diff(document_id: int):
    """Paragraph-level differences between two versions."""
    old, new = request.args.get("from", 1, type=int), request.args.get("to", 2, type=int)
    lines = version_diff(db.session, current_user, document_id, old, new)
    card = document_card(db.session, current_user, document_id)
    return render_template("documents/diff.html", doc=card.document, lines=lines, old=old, new=new)


@bp.get("/<int:document_id>/sheet")
def sheet(document_id: int):
    """«Лист согласования» as a page."""
    return render_template(
        "documents/sheet.html",
        sheet=approval_sheet(db.session, current_user, document_id),
        decisions=DECISIONS,
    )


@bp.get("/<int:document_id>/sheet.docx")
def sheet_download(document_id: int):
    """«Лист согласования» as DOCX."""
    found = approval_sheet(db.session, current_user, document_id)
    return Response(
        sheet_docx(found, getattr(current_user, "timezone", "Europe/Moscow")),
        mimetype=DOCX_TYPE,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{_quote(found.document.number)}-sheet.docx"
        },
    )


def render_signoff(document_id: int, task_id: int, status: int = 200):
    card = document_card(db.session, current_user, document_id)
    return render_template(
        "documents/approve.html",
        card=card,
        doc=card.document,
        task_id=task_id,
        version=card.document.latest,
        pdf_available=pdf.available(),
    ), status


@bp.get("/<int:document_id>/approve/<int:task_id>")
def signoff(document_id: int, task_id: int):
    """The approver's page: the version (text, PDF), what changed since they last saw it, the decision."""
    return render_signoff(document_id, task_id)


@bp.post("/<int:document_id>/approve/<int:task_id>/code")
def signoff_code(document_id: int, task_id: int):
    """E-mail me a one-time code confirming the sign-off."""
    send_code(db.session, current_user, task_id, clock().now())
    flash("Код отправлен на ваш e-mail, он действует 10 минут", "info")
    return render_signoff(document_id, task_id)


@bp.post("/<int:document_id>/approve/<int:task_id>")
def signoff_decide(document_id: int, task_id: int):
    """Decide on the version seen, confirming an approval with the password or the e-mailed code."""
    form = request.form
    decide(
        db.session,
        process_engine(),
        current_user,
        task_id,
        SignOff(
            form.get("decision", ""),
            form.get("comment", ""),
            form.get("sha256", ""),
            password=form.get("password", ""),
            code=form.get("code", ""),
            ip=request.remote_addr,
            user_agent=request.headers.get("User-Agent"),
        ),
        clock().now(),
    )
    flash("Решение записано", "success")
    return redirect(url_for("documents.show", document_id=document_id))


@bp.post("/clients/<int:client_id>/details")
def client_details(client_id: int):
    """Save the client's bank details and signatory for documents (from the client card)."""
    save_details(db.session, current_user, client_id, request.form, clock().now())
    flash("Реквизиты для документов сохранены", "success")
    return redirect(url_for("clients.show", client_id=client_id, _anchor="documents"))
