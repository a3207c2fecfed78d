"""Login/logout pages and the user's own API tokens; the rules live in ``models.identity.accounts``."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask import session as flask_session
from flask_login import current_user, login_required, login_user, logout_user

from models.identity.accounts import (
    LoginPolicy,
    api_tokens,
    attempt_login,
    create_api_token,
    open_session,
    revoke_all_sessions,
    revoke_api_token,
    revoke_session,
)
from models.identity.service import UserError
from models.platform.db import db
from models.platform.unit_of_work import unit_of_work
from web.auth import bp
from web.security import SESSION_KEY, clock, public, settings


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after login (no open redirect)."""
    if not target:
        return url_for("home.index")
    if any(ord(c) < 32 or c in "\\\x7f" for c in target):  # CR/LF would split the Location header
        return url_for("home.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("home.index")
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
    cfg = settings()
    policy = LoginPolicy(cfg.login_max_failures, cfg.login_lock_seconds)
    # A failed login must count towards the throttle although the answer is 401, which
    # rolls back the request's own unit of work: the attempt is kept in a unit of its own.
    with unit_of_work(db.session):
        attempt = attempt_login(db.session, login_name, request.form.get("password") or "",
                                request.remote_addr, clock().now(), policy)
    if attempt.locked:
        message = (f"Слишком много неудачных попыток входа. Повторите через {attempt.retry_after} с.")
        response = render_template("auth/login.html", next=request.form.get("next", ""),
                                   error=message, login=login_name)
        return response, 429, {"Retry-After": str(attempt.retry_after)}
    if attempt.user is None:
        return (
            render_template("auth/login.html", next=request.form.get("next", ""),
                            error="Неверный логин или пароль", login=login_name),
            401,
        )
    login_user(attempt.user)
    flask_session[SESSION_KEY] = open_session(db.session, attempt.user, clock().now(),
                                              address=request.remote_addr,
                                              user_agent=request.headers.get("User-Agent"))
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
@login_required
def logout():
    """Sign out (POST with CSRF, so a foreign page cannot log the user out)."""
    revoke_session(db.session, flask_session.pop(SESSION_KEY, None), clock().now())
    logout_user()
    flash("Вы вышли из системы", "info")
    return redirect(url_for("auth.login"))


@bp.post("/logout/everywhere")
@login_required
def logout_everywhere():
    """«Выйти на всех устройствах»: every session of the user ends, this one too."""
    revoke_all_sessions(db.session, current_user, clock().now())
    flask_session.pop(SESSION_KEY, None)
    logout_user()
    flash("Вы вышли на всех устройствах", "info")
    return redirect(url_for("auth.login"))


@bp.get("/profile/tokens")
def tokens():
    """The current user's API tokens (only prefixes are shown; secrets are not stored)."""
    return render_template("auth/tokens.html", tokens=api_tokens(db.session, current_user))


@bp.post("/profile/tokens")
def create_token():
    """Issue a new personal API token and show it once."""
    try:
        token = create_api_token(db.session, current_user, request.form.get("name") or "")
    except UserError as exc:
        flash(str(exc), "danger")
        return redirect(url_for("auth.tokens"))
    return render_template("auth/tokens.html", tokens=api_tokens(db.session, current_user),
                           new_token=token)


@bp.post("/profile/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):
    """Revoke one of the user's own tokens (someone else's is «not found»)."""
    token = revoke_api_token(db.session, current_user, token_id, clock().now())
    flash(f"Токен «{token.name}» отозван", "info")
    return redirect(url_for("auth.tokens"))
