"""One client: the card, creating and editing it, the registry, duplicates and merging."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from integrations.registry.client import RegistryError, lookup_company
from models.clients.access import get_client
from models.clients.cards import REGISTRY_STATUS_LABELS, Client
from models.clients.duplicates import likely_duplicates
from models.clients.merge import merge_by_ids, merge_preview
from models.clients.queries import client_card, client_history_page, owner_choices
from models.clients.service import (
    ClientInvalid,
    LikelyDuplicates,
    apply_registry_answer,
    change_client,
    dismiss_duplicate,
    form_values,
    register_client,
)
from models.platform.db import db
from models.platform.ids import parse_int
from models.platform.permissions import Permission, require
from models.sales.queries import client_deals
from web.clients import bp
from web.clients.helpers import labels, registry
from web.security import clock

FORM_FIELDS = ("kind", "full_name", "short_name", "inn", "kpp", "ogrn", "legal_address",
               "postal_address", "phones", "emails", "industry", "territory", "segment", "status",
               "source", "notes", "tags", "head_name", "head_position", "owner_id", "registry_status")


def _form_input(form: MultiDict) -> dict[str, Any]:
    return {field: form.get(field, "") for field in FORM_FIELDS}


def _render_form(values: dict[str, Any], client: Client | None = None, errors: dict | None = None,
                 duplicates: list | None = None, status: int = 200):
    return render_template("clients/form.html", values=values, client=client, errors=errors or {},
                           duplicates=duplicates, owners=owner_choices(db.session, current_user),
                           **labels()), status


def _fill_from_registry(values: dict[str, Any], client: Client | None):
    """«Заполнить по ИНН»: put the registry's data into the form, keep everything else typed.

    Nothing is written: the registry's answer only goes back into the form.
    """
    try:
        info = lookup_company(registry(), (values.get("inn") or "").strip())
    except RegistryError as exc:
        flash(exc.message, "warning")
        return _render_form(values, client, {"inn": exc.message} if not exc.retryable else None,
                            status=200 if exc.retryable else 422)
    if info is None:
        flash("В реестре нет организации с таким ИНН", "warning")
        return _render_form(values, client)
    values.update(info.card_values(values.get("kind")))
    if info.registry_warning_text():
        flash(f"Внимание: по данным реестра — {info.registry_warning_text()}", "danger")
    else:
        flash("Карточка заполнена по данным реестра; проверьте и сохраните", "success")
    return _render_form(values, client)


@bp.get("/new")
def new():
    """An empty card to fill in (or to fill from the registry by INN)."""
    require(current_user, Permission.EDIT_CLIENTS)
    return _render_form({"kind": request.args.get("kind", "company"), "status": "active",
                         "owner_id": current_user.id})[0]


@bp.post("/new")
def create():
    """Save a new card; errors and likely duplicates come back with everything typed."""
    require(current_user, Permission.EDIT_CLIENTS)
    values = _form_input(request.form)
    if request.form.get("action") == "fill":
        return _fill_from_registry(values, None)
    try:
        client = register_client(db.session, current_user, values, now=clock().now(),
                                 ignore_duplicates=bool(request.form.get("ignore_duplicates")))
    except ClientInvalid as exc:
        flash(exc.message, "danger")
        return _render_form(values, errors=exc.fields, status=422)
    except LikelyDuplicates as exc:
        flash("Похоже, такой клиент уже есть. Проверьте список или отметьте «Всё равно создать»",
              "warning")
        return _render_form(values, duplicates=exc.duplicates, status=409)
    flash("Клиент создан", "success")
    return redirect(url_for("clients.show", client_id=client.id))


@bp.get("/<int:client_id>")
def show(client_id: int):
    """The card: requisites, contacts, likely duplicates, registry flag and history."""
    card = client_card(db.session, current_user, client_id)
    return render_template(
        "clients/card.html", client=card.client, duplicates=card.duplicates, history=card.history,
        merges=card.merges, deals=client_deals(db.session, current_user, client_id),
        can_edit=card.can_edit, **labels())


@bp.get("/<int:client_id>/history")
def history(client_id: int):
    """The card's whole history in keyset pages (``before``: a cursor the page gave; another value
    shows the newest page, as the deals list does)."""
    before = parse_int(request.args.get("before", "")) or None
    found = client_history_page(db.session, current_user, client_id, before)
    return render_template("clients/history.html", client=found.client, page=found.page, before=before)


@bp.get("/<int:client_id>/edit")
def edit(client_id: int):
    """The card's edit form."""
    client = get_client(db.session, current_user, client_id, "edit")
    return _render_form(form_values(client), client)[0]


@bp.post("/<int:client_id>/edit")
def update(client_id: int):
    """Save changes of a card; refused input comes back with what was typed."""
    values = _form_input(request.form)
    if request.form.get("action") == "fill":
        return _fill_from_registry(values, get_client(db.session, current_user, client_id, "edit"))
    try:
        change_client(db.session, current_user, client_id, values, now=clock().now())
    except ClientInvalid as exc:
        flash(exc.message, "danger")
        client = get_client(db.session, current_user, client_id, "edit")
        return _render_form(values, client, exc.fields, status=422)
    flash("Изменения сохранены", "success")
    return redirect(url_for("clients.show", client_id=client_id))


@bp.post("/<int:client_id>/registry")
def check_registry(client_id: int):
    """Ask the registry about a saved client and record its status (and head) on the card.

    The registry is asked before anything is written in this request, so no write waits on
    an outside system; its answer is then recorded by the clients service.
    """
    client = get_client(db.session, current_user, client_id, "edit")
    try:
        info = lookup_company(registry(), client.inn or "")
    except RegistryError as exc:
        flash(exc.message, "warning")
        return redirect(url_for("clients.show", client_id=client_id))
    if info is None:
        flash("В реестре нет организации с таким ИНН", "warning")
    else:
        client = apply_registry_answer(db.session, current_user, client_id, info, clock().now())
        flash(f"Статус в реестре: {REGISTRY_STATUS_LABELS.get(info.status or '', info.status)}",
              "danger" if client.registry_warning else "success")
    return redirect(url_for("clients.show", client_id=client_id))


@bp.get("/duplicates/check")
def duplicates_check():
    """Likely duplicates of a card being typed (the form polls this as the user types)."""
    require(current_user, Permission.VIEW_CLIENTS)
    exclude = request.args.get("exclude_id", "")
    return {"duplicates": likely_duplicates(db.session, current_user, request.args,
                                            parse_int(exclude))}


@bp.post("/<int:client_id>/not-duplicate/<int:other_id>")
def not_duplicate(client_id: int, other_id: int):
    """Remember that two clients are different, so the pair is not suggested again."""
    try:
        dismiss_duplicate(db.session, current_user, client_id, other_id)
    except ClientInvalid as exc:
        for message in exc.fields.values():
            flash(message, "danger")
        return redirect(url_for("clients.show", client_id=client_id))
    flash("Отмечено: не дубликат", "info")
    return redirect(url_for("clients.show", client_id=client_id))


def _render_merge(client_id: int, other_id: int, errors: dict[str, str] | None = None,
                  choices: dict[str, str] | None = None, status: int = 200):
    preview = merge_preview(db.session, current_user, client_id, other_id)
    return render_template("clients/merge.html", survivor=preview.survivor, other=preview.other,
                           fields=preview.fields, errors=errors or {}, choices=choices,
                           **labels()), status


@bp.get("/<int:client_id>/merge/<int:other_id>")
def merge_form(client_id: int, other_id: int):
    """Choose, field by field, what the merged card keeps."""
    return _render_merge(client_id, other_id)[0]


@bp.post("/<int:client_id>/merge/<int:other_id>")
def merge(client_id: int, other_id: int):
    """Merge the other client into this one; a refused merge changes nothing."""
    choices = {k[len("pick_"):]: v for k, v in request.form.items() if k.startswith("pick_")}
    try:
        merge_by_ids(db.session, current_user, client_id, other_id, choices, request.form.get("reason"))
    except ClientInvalid as exc:
        flash(exc.message, "danger")
        return _render_merge(client_id, other_id, exc.fields, choices, status=422)
    flash(f"Клиент #{other_id} объединён с этой карточкой", "success")
    return redirect(url_for("clients.show", client_id=client_id))
