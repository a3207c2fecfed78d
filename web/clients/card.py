"""One client: the card, creating and editing it, the registry, duplicates and merging."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from integrations.registry.client import RegistryError, lookup_company
from models.clients.cards import REGISTRY_STATUS_LABELS, Client
from models.clients.duplicates import Probe, duplicates_of, find_duplicates, mark_not_duplicate
from models.clients.history import client_history, merges_into
from models.clients.merge import differing_fields, merge_clients
from models.clients.service import ClientInvalid, create_client, form_values, update_client
from models.platform.db import db
from models.platform.permissions import AccessDenied, Permission, can_access, require
from models.sales.queries import client_deals
from web.clients import bp
from web.clients.helpers import duplicate_view, get_client, labels, owner_choices, registry
from web.security import clock

FORM_FIELDS = ("kind", "full_name", "short_name", "inn", "kpp", "ogrn", "legal_address",
               "postal_address", "phones", "emails", "industry", "territory", "segment", "status",
               "source", "notes", "tags", "head_name", "head_position", "owner_id", "registry_status")


def _form_input(form: MultiDict) -> dict[str, Any]:
    return {field: form.get(field, "") for field in FORM_FIELDS}


def _render_form(values: dict[str, Any], client: Client | None = None, errors: dict | None = None,
                 duplicates: list | None = None, status: int = 200):
    return render_template("clients/form.html", values=values, client=client, errors=errors or {},
                           duplicates=duplicates, owners=owner_choices(), **labels()), status


def _fill_from_registry(values: dict[str, Any], client: Client | None):
    """«Заполнить по ИНН»: put the registry's data into the form, keep everything else typed."""
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


def _registry_fields(values: dict[str, Any]) -> dict[str, Any]:
    status = values.get("registry_status")
    if status in REGISTRY_STATUS_LABELS:
        return {"registry_status": status, "registry_checked_at": clock().now()}
    return {}


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
    with db.session.no_autoflush:  # the new card must not find itself among duplicates
        try:
            client = create_client(db.session, current_user, values)
        except ClientInvalid as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return _render_form(values, errors=exc.fields, status=422)
        duplicates = find_duplicates(db.session, Probe.from_values(values))
    if duplicates and not request.form.get("ignore_duplicates"):
        db.session.rollback()
        flash("Похоже, такой клиент уже есть. Проверьте список или отметьте «Всё равно создать»",
              "warning")
        return _render_form(values, duplicates=[duplicate_view(d) for d in duplicates], status=409)
    for field, value in _registry_fields(values).items():
        setattr(client, field, value)
    db.session.commit()
    flash("Клиент создан", "success")
    return redirect(url_for("clients.show", client_id=client.id))


@bp.get("/<int:client_id>")
def show(client_id: int):
    """The card: requisites, contacts, likely duplicates, registry flag and history."""
    client = get_client(client_id)
    duplicates = [duplicate_view(d) for d in duplicates_of(db.session, client)]
    return render_template(
        "clients/card.html", client=client, duplicates=duplicates,
        history=client_history(db.session, client), merges=merges_into(db.session, client.id),
        deals=client_deals(db.session, current_user, client.id),
        can_edit=can_access(current_user, client, "edit"), **labels())


@bp.get("/<int:client_id>/edit")
def edit(client_id: int):
    """The card's edit form."""
    client = get_client(client_id, "edit")
    return _render_form(form_values(client), client)[0]


@bp.post("/<int:client_id>/edit")
def update(client_id: int):
    """Save changes of a card; refused input comes back with what was typed."""
    client = get_client(client_id, "edit")
    values = _form_input(request.form)
    if request.form.get("action") == "fill":
        return _fill_from_registry(values, client)
    try:
        update_client(db.session, current_user, client, values)
        for field, value in _registry_fields(values).items():
            setattr(client, field, value)
        db.session.commit()
    except ClientInvalid as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _render_form(values, client, exc.fields, status=422)
    flash("Изменения сохранены", "success")
    return redirect(url_for("clients.show", client_id=client.id))


@bp.post("/<int:client_id>/registry")
def check_registry(client_id: int):
    """Ask the registry about a saved client and record its status (and head) on the card."""
    client = get_client(client_id, "edit")
    try:
        info = lookup_company(registry(), client.inn or "")
    except RegistryError as exc:
        flash(exc.message, "warning")
        return redirect(url_for("clients.show", client_id=client.id))
    if info is None:
        flash("В реестре нет организации с таким ИНН", "warning")
    else:
        client.registry_status = info.status
        client.registry_checked_at = clock().now()
        client.head_name = info.head_name or client.head_name
        client.head_position = info.head_position or client.head_position
        db.session.commit()
        flash(f"Статус в реестре: {REGISTRY_STATUS_LABELS.get(info.status or '', info.status)}",
              "danger" if client.registry_warning else "success")
    return redirect(url_for("clients.show", client_id=client.id))


@bp.get("/duplicates/check")
def duplicates_check():
    """Likely duplicates of a card being typed (the form polls this as the user types)."""
    require(current_user, Permission.VIEW_CLIENTS)
    exclude = request.args.get("exclude_id", "")
    matches = find_duplicates(db.session, Probe.from_values(request.args),
                              exclude_id=int(exclude) if exclude.isdigit() else None)
    return {"duplicates": [duplicate_view(m) for m in matches]}


@bp.post("/<int:client_id>/not-duplicate/<int:other_id>")
def not_duplicate(client_id: int, other_id: int):
    """Remember that two clients are different, so the pair is not suggested again."""
    client = get_client(client_id, "edit")
    other = get_client(other_id)
    mark_not_duplicate(db.session, current_user, client, other)
    db.session.commit()
    flash("Отмечено: не дубликат", "info")
    return redirect(url_for("clients.show", client_id=client.id))


@bp.get("/<int:client_id>/merge/<int:other_id>")
def merge_form(client_id: int, other_id: int):
    """Choose, field by field, what the merged card keeps."""
    survivor, other = get_client(client_id, "edit"), get_client(other_id, "edit")
    return render_template("clients/merge.html", survivor=survivor, other=other,
                           fields=differing_fields(survivor, other), errors={}, **labels())


@bp.post("/<int:client_id>/merge/<int:other_id>")
def merge(client_id: int, other_id: int):
    """Merge the other client into this one; a refused merge changes nothing."""
    survivor, other = get_client(client_id, "edit"), get_client(other_id, "edit")
    choices = {k[len("pick_"):]: v for k, v in request.form.items() if k.startswith("pick_")}
    try:
        merge_clients(db.session, current_user, survivor, other, choices, request.form.get("reason"))
        db.session.commit()
    except (ClientInvalid, AccessDenied) as exc:
        db.session.rollback()
        flash(getattr(exc, "message", str(exc)), "danger")
        errors = exc.fields if isinstance(exc, ClientInvalid) else {}
        survivor, other = get_client(client_id, "edit"), get_client(other_id, "edit")
        return render_template("clients/merge.html", survivor=survivor, other=other,
                               fields=differing_fields(survivor, other), errors=errors,
                               choices=choices, **labels()), 422
    flash(f"Клиент #{other_id} объединён с этой карточкой", "success")
    return redirect(url_for("clients.show", client_id=client_id))
