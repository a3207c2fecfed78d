"""Outbound webhooks for admins: subscribe a URL, switch it off, redeliver a logged delivery."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from integrations.catalog import integration
from integrations.status import status
from integrations.webhooks.service import WebhookError, redeliver, set_active, subscribe, webhooks_page
from models.platform.db import db
from models.platform.permissions import Permission, require
from web.integrations import bp
from web.security import clock, settings

BACK = "integrations.show"


@bp.post("/admin/webhooks/subscriptions")
def webhook_subscribe():
    """A new subscription; a refused address (inside the network, no such host) comes back as 422."""
    require(current_user, Permission.MANAGE_USERS)
    form = request.form
    try:
        sub = subscribe(
            db.session,
            current_user,
            form.get("url", ""),
            form.getlist("events"),
            allow_private=form.get("allow_private") == "on",
            description=form.get("description"),
            now=clock().now(),
        )
    except WebhookError as exc:
        flash(str(exc), "danger")
        item = integration("webhooks")
        return render_template(
            "integrations/show.html",
            s=status(db.session, item, settings()),
            page=webhooks_page(db.session),
            form=form,
        ), 422
    flash(f"Подписка №{sub.id} создана. Секрет для проверки подписи: {sub.secret}", "success")
    return redirect(url_for(BACK, code="webhooks"))


@bp.post("/admin/webhooks/subscriptions/<int:subscription_id>/active")
def webhook_active(subscription_id: int):
    """Switch a subscription on or off."""
    require(current_user, Permission.MANAGE_USERS)
    set_active(db.session, subscription_id, request.form.get("active") == "1")
    return redirect(url_for(BACK, code="webhooks"))


@bp.post("/admin/webhooks/deliveries/<int:delivery_id>/redeliver")
def webhook_redeliver(delivery_id: int):
    """Send a logged delivery again (a new delivery through the outbox)."""
    require(current_user, Permission.MANAGE_USERS)
    delivery = redeliver(db.session, delivery_id, clock().now())
    flash(f"Доставка №{delivery.id} поставлена в очередь", "success")
    return redirect(url_for(BACK, code="webhooks"))
