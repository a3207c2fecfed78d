"""The client list: search box, filters, sorting, keyset pages, bulk update and export."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy.orm import Session, selectinload

from models.clients.cards import Client
from models.clients.export import csv_chunks, xlsx_bytes
from models.clients.search import SORT_LABELS, ClientFilter, filtered_query, search_page
from models.clients.service import ClientInvalid, bulk_update
from models.platform.db import db
from models.platform.permissions import AccessDenied, Permission, has_permission, require
from web.clients import bp
from web.clients.helpers import active_users, labels, owner_choices

EXPORT_LIMIT = 200_000


def _zone() -> ZoneInfo:
    return ZoneInfo(getattr(current_user, "timezone", None)
                    or current_app.extensions["crm.settings"].timezone)


def _render_list(flt: ClientFilter, status: int = 200, bulk: dict | None = None,
                 selected: set[int] | None = None):
    page = search_page(db.session, current_user, flt, _zone())
    return render_template(
        "clients/index.html", page=page, flt=flt, sorts=SORT_LABELS, users=active_users(),
        owners=owner_choices(), bulk=bulk or {}, selected=selected or set(),
        can_edit=has_permission(current_user, Permission.EDIT_CLIENTS),
        can_import=has_permission(current_user, Permission.IMPORT_CLIENTS), **labels(),
    ), status


@bp.get("/")
def index():
    """Clients the user may see, found by the search box and filters, one keyset page."""
    require(current_user, Permission.VIEW_CLIENTS)
    flt = ClientFilter.from_args(request.args)
    if flt.errors:
        for message in flt.errors.values():
            flash(message, "warning")
    return _render_list(flt, 422 if flt.errors else 200)


@bp.post("/bulk")
def bulk():
    """Change owner, status, territory or tags of the selected clients, with a reason."""
    require(current_user, Permission.EDIT_CLIENTS)
    form = request.form
    flt = ClientFilter.from_args(form)
    ids = {int(i) for i in form.getlist("ids") if i.isdigit()}
    changes = {"owner_id": form.get("owner_id_new"), "status": form.get("status_new"),
               "territory": form.get("territory_new"), "add_tags": form.get("add_tags"),
               "remove_tags": form.get("remove_tags")}
    try:
        count = bulk_update(db.session, current_user, ids, changes, form.get("reason", ""))
        db.session.commit()
    except (ClientInvalid, AccessDenied) as exc:
        db.session.rollback()
        messages = exc.fields.values() if isinstance(exc, ClientInvalid) else [exc.message]
        for message in messages:
            flash(message, "danger")
        status = 403 if isinstance(exc, AccessDenied) else 422
        return _render_list(flt, status, bulk=dict(form), selected=ids)
    flash(f"Изменено клиентов: {count}", "success")
    return redirect(url_for("clients.index", **flt.as_args(cursor=None)))


def _export_query(flt: ClientFilter):
    stmt = filtered_query(db.session, current_user, flt, _zone())
    return stmt.order_by(Client.search_name, Client.id).limit(EXPORT_LIMIT).options(
        selectinload(Client.owner))


@bp.get("/export.csv")
def export_csv():
    """Everything the current filter finds, as CSV for Excel (streamed)."""
    require(current_user, Permission.VIEW_CLIENTS)
    flt = ClientFilter.from_args(request.args)
    stmt = _export_query(flt).execution_options(yield_per=500)
    engine = db.engine

    def generate():
        # Its own session: the download outlives the request's scoped session.
        with Session(engine) as session:
            yield from csv_chunks(session.scalars(stmt))

    return Response(generate(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=clients.csv"})


@bp.get("/export.xlsx")
def export_xlsx():
    """Everything the current filter finds, as an XLSX workbook."""
    require(current_user, Permission.VIEW_CLIENTS)
    flt = ClientFilter.from_args(request.args)
    data = xlsx_bytes(db.session.scalars(_export_query(flt)))
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=clients.xlsx"})


@bp.get("/search.json")
def search_json():
    """The first page of a search as JSON (the search box's suggestions)."""
    require(current_user, Permission.VIEW_CLIENTS)
    flt = ClientFilter.from_args(request.args)
    page = search_page(db.session, current_user, flt, _zone())
    return {"items": [{"id": c.id, "name": c.display_name, "inn": c.inn,
                       "url": url_for("clients.show", client_id=c.id)} for c in page.items],
            "next_cursor": page.next_cursor}
