"""Authentication and request protection applied to every request in one place.

Every endpoint needs a logged-in user unless its view is marked ``@public``; unsafe
requests need a CSRF token unless they carry an API token (machines) or the view is
marked ``@csrf_exempt`` (public intake endpoints with their own protection). Pages
redirect anonymous users to /login; ``/api/`` answers 401 JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from flask import Flask, current_app, g, jsonify, redirect, request, url_for
from flask import session as flask_session
from flask_login import current_user

from models.identity.accounts import session_user
from models.identity.users import User, user_for_token
from models.platform.audit import set_actor
from models.platform.db import db
from models.platform.ids import parse_int
from models.platform.unit_of_work import unit_of_work
from web.extensions import csrf, login_manager

F = TypeVar("F", bound=Callable[..., Any])
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC_ENDPOINTS = frozenset({"static"})


def public(view: F) -> F:
    """Mark a view as reachable without logging in."""
    view._crm_public = True  # type: ignore[attr-defined]
    return view


def csrf_exempt(view: F) -> F:
    """Mark a view that accepts unsafe requests without a CSRF token (public intake)."""
    view._crm_csrf_exempt = True  # type: ignore[attr-defined]
    return view


def clock():
    return current_app.extensions["crm.clock"]


def settings():
    return current_app.extensions["crm.settings"]


def is_api_request() -> bool:
    return request.path.startswith("/api/")


SESSION_KEY = "crm_sid"  # the server-side session id in the signed cookie (models.identity.sessions)
PAGE_RIDER = "crm.page_rider"  # app.extensions key of the one ``PageRider`` (the inbox registers it)


@dataclass(frozen=True)
class PageRider:
    """What a package reads on every page, riding the session check's statement.

    Every page checks the session first, in one statement (``models.identity.sessions``); the
    navigation badges are read on every page too, so they ride along instead of costing a
    round trip of their own. Security names no package: the inbox registers its rider on
    the app. ``statement`` is scalar subqueries on a bound ``user_id`` and ``params(now)``;
    ``take(user, now, values)`` keeps them for the page.
    """

    statement: Callable[[], Any]
    params: Callable[[datetime], Mapping[str, Any]]
    take: Callable[[User, datetime, Sequence[Any]], None]


def is_page_request() -> bool:
    """A browser opening a page (``GET`` asking for HTML by name), not a script's fetch or the API."""
    if request.method != "GET" or is_api_request():
        return False
    return any(value == "text/html" for value in request.accept_mimetypes.values())


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """The user of a live server-side session named by the cookie, while still active."""
    number = parse_int(user_id)
    if number is None:
        return None
    cfg = settings()
    now = clock().now()
    rider: PageRider | None = current_app.extensions.get(PAGE_RIDER) if is_page_request() else None
    user, values = session_user(
        db.session, flask_session.get(SESSION_KEY), number, now,
        idle=timedelta(minutes=cfg.session_idle_minutes), absolute=timedelta(hours=cfg.session_max_hours),
        extra=rider.statement() if rider else None, params=rider.params(now) if rider else None)
    if rider is not None and user is not None and values is not None:
        rider.take(user, now, values)
    return user


@login_manager.request_loader
def _load_user_from_token(req) -> User | None:
    """The user of a personal API token (``Authorization: Bearer crm_…``), for machines."""
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    # The token's last use is recorded before the view runs, outside its unit of work, and
    # kept even when the request then fails: it gets a unit of work of its own.
    with unit_of_work(db.session):
        user = user_for_token(db.session, header[7:].strip(), clock().now())
    if user is not None:
        g.crm_token_auth = True
    return user


def _guard():
    endpoint = request.endpoint
    view = current_app.view_functions.get(endpoint) if endpoint else None
    if view is None:
        set_actor(None)
        return None  # 404 or static files handled by Flask
    # Touch current_user first: it resolves a bearer token before the CSRF decision.
    authenticated = current_user.is_authenticated
    token_auth = g.get("crm_token_auth", False)
    if (
        request.method not in SAFE_METHODS
        and not token_auth
        and not getattr(view, "_crm_csrf_exempt", False)
    ):
        csrf.protect()
    if endpoint in PUBLIC_ENDPOINTS or getattr(view, "_crm_public", False):
        set_actor(current_user.id if authenticated else None)
        return None
    if not authenticated:
        set_actor(None)
        if is_api_request():
            response = jsonify(
                error={"code": "unauthorized", "message": "Требуется вход или API-токен"}
            )
            response.status_code = 401
            response.headers["WWW-Authenticate"] = 'Bearer realm="crm"'
            return response
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    set_actor(current_user.id)
    return None


def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Войдите, чтобы продолжить"
    login_manager.session_protection = "strong"
    app.before_request(_guard)
    app.after_request(_security_headers)
    # The actor lives in a context variable of the worker thread: clear it after each
    # request so the next request on the same thread never inherits it.
    app.teardown_request(lambda exc: set_actor(None))
