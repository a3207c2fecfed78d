"""The Flask application factory.

``create_app`` builds a fresh app for the server, the CLI, the scheduler and each test;
nothing is configured at import time.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from models.clients.person_identity import PASSPORT_KEY
from models.platform import db_ping, pg_prepared, sqlite_savepoints
from models.platform.clock import SystemClock, install_clock
from models.platform.db import db
from models.platform.settings import Settings
from web import packages, safety
from web.extensions import csrf, login_manager, migrate, rest_api
from web.scheduler import session_factory


def _flask_config(settings: Settings) -> dict[str, Any]:
    # A server connection is pinged only after it sat idle in the pool (``db_ping``), not on every
    # checkout; a file has no server to lose.
    engine_options: dict[str, Any] = {}
    if settings.database_url.startswith("sqlite"):
        # Threads of one server share the file; SQLite serialises writers itself.
        engine_options["connect_args"] = {"check_same_thread": False, "timeout": 30}
    elif settings.database_url.startswith("postgresql"):
        # psycopg builds cursor.description on every statement; SQLAlchemy rarely reads it (pg_cursor).
        from models.platform.pg_cursor import LazyDescriptionCursor

        engine_options["connect_args"] = {"cursor_factory": LazyDescriptionCursor}
    # PostgreSQL keeps psycopg's server-side prepared statements (a statement run five times on a
    # connection is planned once), also across the rollbacks of read-only work (models.platform.
    # pg_prepared). Turning them off saved the engine's process 1 ms per bench_lead instance but
    # moved the planning to the server, which shares the cores: measured on an idle machine it cost
    # 2.6 ms of PostgreSQL CPU per lead and 10 % of the leads and engine instances per second (issue 15).
    return {
        "SECRET_KEY": settings.secret_key,
        "SQLALCHEMY_DATABASE_URI": settings.database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": settings.session_cookie_secure,
        "SESSION_COOKIE_NAME": "crm_session",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": settings.session_cookie_secure,
        "PERMANENT_SESSION_LIFETIME": 12 * 3600,
        "WTF_CSRF_CHECK_DEFAULT": False,  # checked in web.security for every unsafe request
        "WTF_CSRF_TIME_LIMIT": 12 * 3600,
        "MAX_CONTENT_LENGTH": 50 * 1024 * 1024,
        "API_TITLE": "CRM API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
    }


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """WAL for concurrent readers, foreign keys on (SQLite leaves them off by default)."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


event.listen(Engine, "connect", _sqlite_pragmas)


def create_app(settings: Settings | None = None, clock: Any = None,
               extra_packages: Iterable[ModuleType] = ()) -> Flask:
    """Build the CRM application from ``settings`` (default: the environment).

    ``extra_packages`` are added to ``web.packages.PACKAGES`` (tests declare test operations so).
    """
    settings = settings or Settings.from_env()
    app = Flask(__name__, instance_path=str(settings.instance_dir), instance_relative_config=False)
    app.config.update(_flask_config(settings))
    db_ping.install()
    sqlite_savepoints.install()
    pg_prepared.install()
    app.config.update(settings.extra)
    safety.install_converters(app)
    app.json.ensure_ascii = False  # Russian text stays readable in JSON answers
    app.extensions["crm.settings"] = settings
    app.extensions["crm.clock"] = clock or SystemClock()
    install_clock(app.extensions["crm.clock"])

    if settings.database_url.startswith("sqlite:///"):
        settings.instance_dir.mkdir(parents=True, exist_ok=True)

    app.extensions["crm.registry"] = packages.registry(extra_packages)
    # the key of the passports' hashes (models.clients.person_identity): the installation's secret
    app.extensions["crm.registry"].service(PASSPORT_KEY, settings.secret_key)
    db.init_app(app)
    migrate.init_app(app, db)
    csrf.init_app(app)
    login_manager.init_app(app)
    rest_api.init_app(app)

    from web import assets, errors, formatting, links, navigation, security, server_timing, transactions
    from web.admin import bp as admin_bp
    from web.api import register_api
    from web.auth import bp as auth_bp
    from web.clients import bp as clients_bp
    from web.collaboration import bp as collaboration_bp
    from web.contracts import bp as contracts_bp
    from web.deals import bp as deals_bp
    from web.discounts import init_app as init_discounts
    from web.documents import init_app as init_documents
    from web.feedback import bp as feedback_bp
    from web.home import bp as home_bp
    from web.inbox import init_app as init_inbox
    from web.insurance import bp as insurance_bp
    from web.intake import bp as intake_bp
    from web.integrations import init_app as init_integrations
    from web.leads import bp as leads_bp
    from web.main import bp as main_bp
    from web.processes import bp as processes_bp
    from web.quality import bp as quality_bp
    from web.reports import init_app as init_reports
    from web.search import bp as search_bp
    from web.studio import bp as studio_bp

    app.extensions["crm.session_factory"] = session_factory(app)
    security.init_app(app)
    errors.init_app(app)
    safety.init_app(app)
    server_timing.init_app(app)
    assets.init_app(app)
    navigation.init_app(app)
    formatting.init_app(app)
    links.init_app(app)
    app.register_blueprint(auth_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(clients_bp)
    init_inbox(app)
    app.register_blueprint(intake_bp)
    app.register_blueprint(leads_bp)
    app.register_blueprint(deals_bp)
    init_discounts(app)
    init_documents(app)
    init_reports(app)
    app.register_blueprint(insurance_bp)
    app.register_blueprint(contracts_bp)
    app.register_blueprint(processes_bp)
    app.register_blueprint(studio_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(collaboration_bp)
    app.register_blueprint(quality_bp)
    app.register_blueprint(feedback_bp)
    init_integrations(app)
    register_api(app)
    transactions.init_app(app)  # last: wraps every view registered above
    return app
