"""SPARK on the client card: «Проверить в СПАРК» queues a check for the refresh job."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user

from integrations.spark.service import SparkError, ask_spark
from models.platform.db import db
from web.integrations import bp
from web.security import clock


@bp.post("/spark/clients/<int:client_id>")
def spark_request(client_id: int):
    """Queue a SPARK check of a client the user may view; the answer comes with the next run of the job."""
    try:
        ask_spark(db.session, current_user, client_id, clock().now())
    except SparkError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("clients.show", client_id=client_id)), 303
    flash("Проверка в СПАРК поставлена в очередь", "success")
    return redirect(url_for("clients.show", client_id=client_id))
