"""The client list: search box, filters, sorting, keyset pages, bulk update and export."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models.clients.export import csv_download, xlsx_download
from models.clients.queries import client_list
from models.clients.search import SORT_LABELS, ClientFilter, search_page
from models.clients.service import ClientInvalid, bulk_update
from models.platform.db import db
from models.platform.ids import parse_int
from models.platform.permissions import AccessDenied, Permission, require
from web.clients import bp
from web.clients.helpers import labels, zone


def _render_list(flt: ClientFilter, status: int = 200, bulk: dict | None = None,
                 selected: set[int] | None = None):
    found = client_list(db.session, current_user, flt, zone())
    return render_template(
        "clients/index.html", page=found.page, flt=flt, sorts=SORT_LABELS, users=found.users,
        owners=found.owners, bulk=bulk or {}, selected=selected or set(),
        can_edit=found.can_edit, can_import=found.can_import, **labels(),
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
    ids = {i for i in map(parse_int, form.getlist("ids")) if i is not None}
    changes = {"owner_id": form.get("owner_id_new"), "status": form.get("status_new"),
               "territory": form.get("territory_new"), "add_tags": form.get("add_tags"),
               "remove_tags": form.get("remove_tags")}
    try:
        count = bulk_update(db.session, current_user, ids, changes, form.get("reason", ""))
    except (ClientInvalid, AccessDenied) as exc:
        messages = exc.fields.values() if isinstance(exc, ClientInvalid) else [exc.message]
        for message in messages:
            flash(message, "danger")
        status = 403 if isinstance(exc, AccessDenied) else 422
        return _render_list(flt, status, bulk=dict(form), selected=ids)
    flash(f"Изменено клиентов: {count}", "success")
    return redirect(url_for("clients.index", **flt.as_args(cursor=None)))


@bp.get("/export.csv")
def export_csv():
    """Everything the current filter finds, as CSV for Excel (streamed)."""
    require(current_user, Permission.VIEW_CLIENTS)
    flt = ClientFilter.from_args(request.args)
    return Response(csv_download(db.session, current_user, flt, zone()), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=clients.csv"})


@bp.get("/export.xlsx")
def export_xlsx():
    """Everything the current filter finds, as an XLSX workbook."""
    require(current_user, Permission.VIEW_CLIENTS)
    flt = ClientFilter.from_args(request.args)
    data = xlsx_download(db.session, current_user, flt, zone())
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=clients.xlsx"})


@bp.get("/search.json")
def search_json():
    """The first page of a search as JSON (the search box's suggestions)."""
    require(current_user, Permission.VIEW_CLIENTS)
    flt = ClientFilter.from_args(request.args)
    page = search_page(db.session, current_user, flt, zone())
    return {"items": [{"id": c.id, "name": c.display_name, "inn": c.inn,
                       "url": url_for("clients.show", client_id=c.id)} for c in page.items],
            "next_cursor": page.next_cursor}
