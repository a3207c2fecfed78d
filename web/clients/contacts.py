"""Contact persons of a client: add, change, delete (each change lands in the card's history)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from models.clients.access import get_client, get_contact
from models.clients.service import (
    ClientInvalid,
    add_contact,
    contact_form_values,
    delete_contact,
    update_contact,
)
from models.platform.db import db
from web.clients import bp
from web.clients.helpers import labels

CONTACT_FIELDS = ("full_name", "position", "is_decision_maker", "phones", "emails")


def _refused(client_id: int, exc: ClientInvalid, values: dict, contact_id: int | None):
    flash(exc.message, "danger")
    client = get_client(db.session, current_user, client_id, "edit")
    return render_template("clients/contact_form.html", client=client, values=values,
                           errors=exc.fields, contact_id=contact_id, **labels()), 422


@bp.get("/<int:client_id>/contacts/new")
def new_contact(client_id: int):
    """An empty contact form."""
    client = get_client(db.session, current_user, client_id, "edit")
    return render_template("clients/contact_form.html", client=client, values={}, errors={},
                           contact_id=None, **labels())


@bp.post("/<int:client_id>/contacts")
def create_contact(client_id: int):
    """Add a contact person (position, ЛПР, several phones and e-mails)."""
    values = {f: request.form.get(f, "") for f in CONTACT_FIELDS}
    try:
        add_contact(db.session, current_user, client_id, values)
    except ClientInvalid as exc:
        return _refused(client_id, exc, values, None)
    flash("Контакт добавлен", "success")
    return redirect(url_for("clients.show", client_id=client_id))


@bp.get("/<int:client_id>/contacts/<int:contact_id>")
def edit_contact(client_id: int, contact_id: int):
    """The form of one contact person."""
    contact = get_contact(db.session, current_user, client_id, contact_id, "edit")
    return render_template("clients/contact_form.html", client=contact.client,
                           values=contact_form_values(contact), errors={}, contact_id=contact_id,
                           **labels())


@bp.post("/<int:client_id>/contacts/<int:contact_id>")
def save_contact(client_id: int, contact_id: int):
    """Save a contact person's changes."""
    values = {f: request.form.get(f, "") for f in CONTACT_FIELDS}
    try:
        update_contact(db.session, current_user, client_id, contact_id, values)
    except ClientInvalid as exc:
        return _refused(client_id, exc, values, contact_id)
    flash("Контакт сохранён", "success")
    return redirect(url_for("clients.show", client_id=client_id))


@bp.post("/<int:client_id>/contacts/<int:contact_id>/delete")
def remove_contact(client_id: int, contact_id: int):
    """Delete a contact person; the history keeps it."""
    delete_contact(db.session, current_user, client_id, contact_id)
    flash("Контакт удалён", "info")
    return redirect(url_for("clients.show", client_id=client_id))
