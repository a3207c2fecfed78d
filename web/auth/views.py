"""Login/logout pages and the user's own API tokens."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from models.identity.login_throttle import record_failure, record_success, seconds_locked
from models.identity.users import ApiToken, find_user, issue_api_token
from models.platform.db import db
from web.auth import bp
from web.security import clock, public, settings


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after login (no open redirect)."""
    if not target:
        return url_for("main.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("main.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Sign in with login and password; repeated failures slow further attempts."""
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(_safe_next(request.args.get("next")))
        return render_template("auth/login.html", next=request.args.get("next", ""))

    login_name = (request.form.get("login") or "").strip().lower()
    password = request.form.get("password") or ""
    keys = [f"login:{login_name}", f"ip:{request.remote_addr}"]
    now = clock().now()
    wait = seconds_locked(db.session, keys, now)
    if wait:
        message = f"Слишком много неудачных попыток входа. Повторите через {wait} с."
        response = render_template("auth/login.html", next=request.form.get("next", ""),
                                   error=message, login=login_name)
        return response, 429, {"Retry-After": str(wait)}

    user = find_user(db.session, login_name)
    if user is None or not user.is_active or not user.check_password(password):
        cfg = settings()
        record_failure(db.session, keys, now, cfg.login_max_failures, cfg.login_lock_seconds)
        db.session.commit()
        return (
            render_template("auth/login.html", next=request.form.get("next", ""),
                            error="Неверный логин или пароль", login=login_name),
            401,
        )
    record_success(db.session, keys)
    db.session.commit()
    login_user(user)
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
@login_required
def logout():
    """Sign out (POST with CSRF, so a foreign page cannot log the user out)."""
    logout_user()
    flash("Вы вышли из системы", "info")
    return redirect(url_for("auth.login"))


@bp.get("/profile/tokens")
def tokens():
    """The current user's API tokens (only prefixes are shown; secrets are not stored)."""
    rows = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.id.desc())
    ).all()
    return render_template("auth/tokens.html", tokens=rows)


@bp.post("/profile/tokens")
def create_token():
    """Issue a new personal API token and show it once."""
    name = (request.form.get("name") or "").strip()
    if not name:
        flash("Укажите название токена", "danger")
        return redirect(url_for("auth.tokens"))
    token = issue_api_token(db.session, current_user, name[:100])
    db.session.commit()
    rows = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.id.desc())
    ).all()
    return render_template("auth/tokens.html", tokens=rows, new_token=token)


@bp.post("/profile/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):
    """Revoke one of the user's own tokens."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != current_user.id:
        return render_template("error.html", status=404, message="Токен не найден"), 404
    row.revoked_at = clock().now()
    db.session.commit()
    flash(f"Токен «{row.name}» отозван", "info")
    return redirect(url_for("auth.tokens"))
