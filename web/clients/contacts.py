"""Contact persons of a client: add, change, delete (each change lands in the card's history)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models.clients.cards import Contact
from models.clients.service import ClientInvalid, add_contact, delete_contact, update_contact
from models.platform.db import db
from web.clients import bp
from web.clients.helpers import get_client, labels

CONTACT_FIELDS = ("full_name", "position", "is_decision_maker", "phones", "emails")


def _contact(client_id: int, contact_id: int) -> Contact:
    get_client(client_id, "edit")
    contact = db.session.get(Contact, contact_id)
    if contact is None or contact.client_id != client_id:
        abort(404)
    return contact


def _refused(client_id: int, exc: ClientInvalid, values: dict, contact_id: int | None):
    db.session.rollback()
    flash(exc.message, "danger")
    client = get_client(client_id, "edit")
    return render_template("clients/contact_form.html", client=client, values=values,
                           errors=exc.fields, contact_id=contact_id, **labels()), 422


@bp.get("/<int:client_id>/contacts/new")
def new_contact(client_id: int):
    """An empty contact form."""
    client = get_client(client_id, "edit")
    return render_template("clients/contact_form.html", client=client, values={}, errors={},
                           contact_id=None, **labels())


@bp.post("/<int:client_id>/contacts")
def create_contact(client_id: int):
    """Add a contact person (position, ЛПР, several phones and e-mails)."""
    client = get_client(client_id, "edit")
    values = {f: request.form.get(f, "") for f in CONTACT_FIELDS}
    try:
        add_contact(db.session, current_user, client, values)
        db.session.commit()
    except ClientInvalid as exc:
        return _refused(client_id, exc, values, None)
    flash("Контакт добавлен", "success")
    return redirect(url_for("clients.show", client_id=client_id))


@bp.get("/<int:client_id>/contacts/<int:contact_id>")
def edit_contact(client_id: int, contact_id: int):
    """The form of one contact person."""
    contact = _contact(client_id, contact_id)
    values = {"full_name": contact.full_name, "position": contact.position or "",
              "is_decision_maker": contact.is_decision_maker,
              "phones": "\n".join(contact.all_phones), "emails": "\n".join(contact.all_emails)}
    return render_template("clients/contact_form.html", client=contact.client, values=values,
                           errors={}, contact_id=contact_id, **labels())


@bp.post("/<int:client_id>/contacts/<int:contact_id>")
def save_contact(client_id: int, contact_id: int):
    """Save a contact person's changes."""
    contact = _contact(client_id, contact_id)
    values = {f: request.form.get(f, "") for f in CONTACT_FIELDS}
    try:
        update_contact(db.session, current_user, contact, values)
        db.session.commit()
    except ClientInvalid as exc:
        return _refused(client_id, exc, values, contact_id)
    flash("Контакт сохранён", "success")
    return redirect(url_for("clients.show", client_id=client_id))


@bp.post("/<int:client_id>/contacts/<int:contact_id>/delete")
def remove_contact(client_id: int, contact_id: int):
    """Delete a contact person; the history keeps it."""
    contact = _contact(client_id, contact_id)
    delete_contact(db.session, current_user, contact)
    db.session.commit()
    flash("Контакт удалён", "info")
    return redirect(url_for("clients.show", client_id=client_id))
