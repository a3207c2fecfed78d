"""Test fixtures: every database test runs on SQLite and on PostgreSQL.

The ``database_url`` fixture is parametrised over both kinds; each pytest-xdist worker
gets its own SQLite file and its own PostgreSQL database, created by running the Alembic
migrations (never ``create_all``). After each test all tables are emptied, so tests may
commit freely, use threads and several connections, like the real application does.
"""

from __future__ import annotations

import os

# Every engine walk runs beside SpiffWorkflow's and must match it (``engine.task_walk``): set before
# the engine is imported.
os.environ.setdefault("CRM_ENGINE_WALK_CHECK", "1")

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import psycopg
import pytest
from jinja2 import FileSystemBytecodeCache
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from models.identity.demo import DEMO_PASSWORD, ensure_demo_users
from models.identity.users import User
from models.platform.clock import ManualClock
from models.platform.db import Base, db
from models.platform.kept import forget_all
from models.platform.settings import Settings
from tests.browser import chromium, live_url, page, shots  # noqa: F401  (every browser test's fixtures)
from tests.url_builders import install as share_url_builders
from web import create_app

share_url_builders()

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_URL = os.environ.get("CRM_TEST_DATABASE_URL", DEFAULT_PG)
IN_CI = os.environ.get("CI", "").lower() == "true"
SKIP_PG = os.environ.get("CRM_TEST_SKIP_POSTGRES") == "1" and not IN_CI
DB_KINDS = ["sqlite"] if SKIP_PG else ["sqlite", "postgresql"]

_DEMO_HASH: dict[str, str] = {}


def _pg_conninfo(url: str, dbname: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if dbname:
        parsed = parsed.set(database=dbname)
    return parsed.render_as_string(hide_password=False)


def _pg_reachable() -> str | None:
    try:
        with psycopg.connect(_pg_conninfo(PG_URL), connect_timeout=5):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]


def pytest_sessionstart(session: pytest.Session) -> None:
    if hasattr(session.config, "workerinput") or SKIP_PG:
        return
    problem = _pg_reachable()
    if problem:
        pytest.exit(
            f"PostgreSQL недоступен ({PG_URL}): {problem}. Тесты идут на SQLite и PostgreSQL; "
            "запустите сервер или (только локально) CRM_TEST_SKIP_POSTGRES=1.",
            returncode=3,
        )


def pytest_report_header(config: pytest.Config) -> str:
    pg = "пропущен (CRM_TEST_SKIP_POSTGRES=1)" if SKIP_PG else PG_URL
    return f"CRM test databases: sqlite (file per worker), postgresql {pg}"


_KIND_RE = re.compile(r"\[(?:[^\]]*-)?(sqlite|postgresql)(?:-[^\]]*)?\]")


# Browser tests drive the same views on either database, and every rule they pass through is
# tested on both by the service and view tests; in the browser they run on PostgreSQL (production)
# only, which keeps `make test` inside its time budget on two cores. So do the page scans
# (``page_scan``: labels, codes and money spelling over every main page of the demo data), which
# test the templates' wording, not the queries behind them.
BROWSER_DB = "postgresql" if "postgresql" in DB_KINDS else "sqlite"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the browser tests' and page scans' runs on the other database (see ``BROWSER_DB``), and
    the SQLite runs of ``server_db`` tests (a file has no server connection to lose)."""
    keep, other = [], []
    for item in items:
        match = _KIND_RE.search(item.nodeid)
        on_other = match is not None and match.group(1) != BROWSER_DB
        one_database = item.get_closest_marker("browser") or item.get_closest_marker("page_scan")
        on_sqlite = match is not None and match.group(1) == "sqlite"
        server_only = item.get_closest_marker("server_db") and on_sqlite
        (other if (one_database and on_other) or server_only else keep).append(item)
    if other:
        config.hook.pytest_deselected(items=other)
        items[:] = keep


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Show how many database tests passed and failed on each database."""
    counts: dict[str, dict[str, int]] = {k: {"passed": 0, "failed": 0} for k in DB_KINDS}
    for outcome in ("passed", "failed", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "when", "call") != "call" and outcome != "error":
                continue
            match = _KIND_RE.search(getattr(report, "nodeid", ""))
            if match:
                counts[match.group(1)]["passed" if outcome == "passed" else "failed"] += 1
    terminalreporter.section("database tests by database")
    for kind, c in counts.items():
        terminalreporter.write_line(f"{kind}: {c['passed']} passed, {c['failed']} failed")


def _worker() -> str:
    """A name unique to this worker of this test run, so parallel runs never share a database."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", str(os.getpid()))[:8]
    return f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{run}"


def _upgrade(url: str, tmp: Path) -> None:
    import alembic.command

    app = create_app(_settings(url, tmp))
    with app.app_context():
        alembic.command.upgrade(app.extensions["migrate"].migrate.get_config(), "heads")
        db.engine.dispose()


def _settings(url: str, tmp: Path, **overrides) -> Settings:
    values = dict(
        database_url=url, secret_key="test-secret", env="test", instance_dir=tmp,
        scheduler=False, smtp_url="smtp://127.0.0.1:1", registry_url="http://127.0.0.1:1",
        # tests move the app clock by hours and days; sessions end by it only where a test asks
        # (tests/hardening/test_sessions.py sets the production timeouts)
        session_idle_minutes=10 * 365 * 24 * 60, session_max_hours=10 * 365 * 24,
        # `crm demo` runs in many tests: two months of sales history fill every tile and section
        # (tests/sales/test_demo.py asks for the whole year)
        demo_history_months=2,
    )
    values.update(overrides)
    return Settings(**values)


@contextmanager
def pg_database(name: str) -> Iterator[str]:
    """A new PostgreSQL database ``name`` (replacing a leftover one), dropped afterwards; its URL.

    A test database is thrown away: its commits need not wait for the WAL to reach the disk (the
    server stays crash-safe; only the last commits of a crashed test run could be lost).
    """
    with psycopg.connect(_pg_conninfo(PG_URL), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
        conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_pg_conninfo(PG_URL), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=DB_KINDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[str]:
    """A migrated, empty database of one kind for this worker."""
    tmp = tmp_path_factory.mktemp(f"db-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'crm-test.db'}"
        _upgrade(url, tmp)
        yield url
        return
    with pg_database(f"crm_test_{_worker()}") as url:
        _upgrade(url, tmp)
        yield url


@pytest.fixture(params=DB_KINDS)
def blank_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, unmigrated database of its own, for migration tests (the shared test database is
    already at the latest revision)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migration.db'}"
        return
    with pg_database(f"crm_test_{_worker()}_blank") as url:
        yield url


def _empty_all_tables() -> None:
    """Empty every table the test wrote to, ids starting again at 1, as if the database were new.

    On PostgreSQL a ``TRUNCATE`` of all the tables costs 0.3 s a test (a new file for each table
    and index); deleting the rows of the few tables a test filled (children first) and setting
    back the sequences it moved costs 0.02 s.
    """
    session = db.session
    postgresql = db.engine.dialect.name == "postgresql"
    if not postgresql:
        session.execute(text("PRAGMA foreign_keys=OFF"))
    filled = filled_tables(session.connection())
    for table in reversed(Base.metadata.sorted_tables):
        if table.name in filled:
            session.execute(text(f'DELETE FROM "{table.name}"'))
    if postgresql:
        session.execute(text(
            "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false)"
            " FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"))
    else:
        session.execute(text("PRAGMA foreign_keys=ON"))
    session.commit()
    forget_all()  # the copies kept between requests were of rows now gone (ids start again)


@cache
def _filled_tables_query() -> str:
    return " UNION ALL ".join(
        f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")"
        for t in Base.metadata.sorted_tables
    )


def filled_tables(connection) -> set[str]:
    """The tables holding at least one row, in one statement (the wipe and the demo snapshot ask)."""
    return set(connection.execute(text(_filled_tables_query())).scalars())


@pytest.fixture
def clock() -> ManualClock:
    """A controllable clock shared by the app under test."""
    return ManualClock()


@pytest.fixture
def settings_overrides() -> dict:
    """Override in a test module to change settings of the app under test."""
    return {}


@pytest.fixture
def extra_packages() -> tuple:
    """Override in a test module to add packages (modules with ``register``) to the app under test."""
    return ()


@pytest.fixture(scope="session")
def template_code(tmp_path_factory) -> FileSystemBytecodeCache:
    """Compiled templates kept for the whole worker: every test builds an application of its own,
    whose Jinja environment would parse and compile every template it renders again (about a
    tenth of the suite's CPU). Jinja checks each template's source against the checksum it keeps
    with the code, so a changed template is compiled anew."""
    return FileSystemBytecodeCache(str(tmp_path_factory.mktemp("templates")))


@pytest.fixture
def app(database_url: str, tmp_path: Path, clock: ManualClock, settings_overrides: dict,
        extra_packages: tuple, template_code: FileSystemBytecodeCache):
    """A fresh application on the current database.

    No app context is held during the test, so each request, CLI call or job gets its own
    context and session, as in production; tests use the ``session`` fixture for their
    own reads and writes.
    """
    application = create_app(_settings(database_url, tmp_path, **settings_overrides), clock=clock,
                             extra_packages=extra_packages)
    application.config["TESTING"] = True
    application.jinja_env.bytecode_cache = template_code
    yield application
    with application.app_context():
        _empty_all_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def engine(app):
    """The application's SQLAlchemy engine."""
    with app.app_context():
        return db.engine


@pytest.fixture
def session(engine) -> Iterator[Session]:
    """A session of the test itself, separate from the sessions requests use."""
    with Session(engine) as test_session:
        yield test_session
        test_session.rollback()


@pytest.fixture
def demo_users(session: Session) -> dict:
    """The demo employees (password «demo»), by login.

    Their hash is PBKDF2 with one round, not the scrypt ``User.set_password`` writes: the login
    form checks whatever method a stored hash names, and scrypt's 0.1 s a login, paid by about a
    thousand logins, was a tenth of the suite's CPU. Tests of the hashing itself set a password
    through ``User.set_password`` (tests/hardening/test_sessions.py, tests/identity).
    """
    if "hash" not in _DEMO_HASH:
        _DEMO_HASH["hash"] = generate_password_hash(DEMO_PASSWORD, method="pbkdf2:sha256:1")
    ensure_demo_users(session, password_hash=_DEMO_HASH["hash"])
    session.commit()
    return {u.login: u for u in session.scalars(select(User))}


_CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = _CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


# What a browser sends when it opens a page: the navigation badges ride the session check then
# (``web.security.PageRider``); a script's request reads them on their own.
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def login(client, login_name: str, password: str = DEMO_PASSWORD):
    """Log ``client`` in through the real login form (with its CSRF token)."""
    form = client.get("/login")
    token = csrf_from(form.get_data(as_text=True))
    return client.post(
        "/login", data={"login": login_name, "password": password, "csrf_token": token}
    )


@pytest.fixture
def client(app):
    return app.test_client()


def run_cli(app, *args: str):
    """Run a ``crm`` command in-process and insist it succeeds; a failure shows the whole traceback.

    ``CRM_DEBUG=1`` lets an unexpected exception through the one-line «Ошибка:» wrapper, so a
    failing command (a demo seed, say) names the line that broke instead of only its message.
    """
    import traceback

    from web.cli import cli

    result = app.test_cli_runner().invoke(cli, list(args), env={"CRM_DEBUG": "1"})
    if result.exit_code != 0:
        detail = "".join(traceback.format_exception(*result.exc_info)) if result.exc_info else ""
        raise AssertionError(f"crm {' '.join(args)}: код {result.exit_code}\n{result.output}\n{detail}")
    return result
