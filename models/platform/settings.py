"""Typed configuration read from ``CRM_*`` environment variables: one object every layer reads.

Defaults work on a laptop: SQLite under ``instance/``, server on 127.0.0.1:5000,
Moscow time. Tests and tools build a ``Settings`` of their own instead of touching the
environment.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "да"}


_DURATION_RE = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def parse_duration(value: str) -> timedelta:
    """``PT4H``, ``P1DT30M`` (ISO 8601) or a plain number of minutes."""
    text = value.strip().upper()
    if text.isdigit():
        return timedelta(minutes=int(text))
    match = _DURATION_RE.match(text)
    if not match or text in ("P", "PT"):
        raise ValueError(f"неверная длительность «{value}»: ожидается ISO 8601 (PT4H) или число минут")
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def _default_secret(instance_dir: Path) -> str:
    """A per-installation secret kept in ``instance/secret_key`` so sessions survive restarts."""
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


@dataclass
class Settings:
    """Everything configurable, with the environment variable each field comes from."""

    database_url: str = ""  # CRM_DATABASE_URL
    secret_key: str = ""  # CRM_SECRET_KEY
    env: str = "development"  # CRM_ENV: development | production | test
    host: str = "127.0.0.1"  # CRM_HOST
    port: int = 5000  # CRM_PORT
    timezone: str = "Europe/Moscow"  # CRM_TIMEZONE
    scheduler: bool = True  # CRM_SCHEDULER: run timers and the outbox inside the server
    scheduler_interval: float = 5.0  # CRM_SCHEDULER_INTERVAL, seconds between scheduler ticks
    workers: int = 1  # CRM_WORKERS: gunicorn worker processes for `crm run`
    # CRM_THREADS: requests one worker serves at once. 4, not more: the threads share one GIL, and
    # at 8 they spent a quarter more CPU per request in contention (bench/web, issue 15); 4 still
    # leave room for the slow in-request work (LibreOffice's PDF, outside systems' HTTP calls).
    threads: int = 4
    demo_history_months: int = 12  # CRM_DEMO_HISTORY_MONTHS: months of sales history `crm demo` adds
    server_timing: bool = False  # CRM_SERVER_TIMING: a Server-Timing header (CPU, SQL) on every answer
    session_cookie_secure: bool = False  # CRM_SESSION_COOKIE_SECURE
    login_max_failures: int = 5  # CRM_LOGIN_MAX_FAILURES before logins slow down
    login_lock_seconds: int = 30  # CRM_LOGIN_LOCK_SECONDS: first pause, doubled each time
    session_idle_minutes: int = 120  # CRM_SESSION_IDLE_MINUTES: a session unused this long ends
    session_max_hours: int = 12  # CRM_SESSION_MAX_HOURS: and any session ends this long after login
    smtp_url: str = "smtp://127.0.0.1:8025"  # CRM_SMTP_URL
    mail_from: str = "crm@localhost"  # CRM_MAIL_FROM
    # CRM_BASE_URL: the address people open the CRM at, for links in e-mails (default http://host:port)
    base_url: str = ""
    registry_url: str = "http://127.0.0.1:8090"  # CRM_REGISTRY_URL
    registry_token: str = ""  # CRM_REGISTRY_TOKEN
    registry_refresh_per_minute: int = 30  # CRM_REGISTRY_REFRESH_PER_MINUTE: the nightly refresh's pace
    edo_url: str = ""  # CRM_EDO_URL: Diadoc-format EDO API; empty: EDO not configured
    edo_token: str = ""  # CRM_EDO_TOKEN: Bearer token of the EDO API
    edo_timeout: float = 10.0  # CRM_EDO_TIMEOUT: seconds per EDO call
    # Integrations (README «Интеграции»): an empty URL or token picks the «не настроено» stand-in.
    mango_url: str = ""  # CRM_MANGO_URL: Mango Office VPBX API, e.g. https://app.mango-office.ru
    mango_api_key: str = ""  # CRM_MANGO_API_KEY: the VPBX's unique code (vpbx_api_key)
    mango_api_salt: str = ""  # CRM_MANGO_API_SALT: the signing key (vpbx_api_salt)
    imap_urls: str = ""  # CRM_IMAP_URLS: imaps://user:password@host:993/INBOX, comma-separated
    telegram_api_url: str = ""  # CRM_TELEGRAM_API_URL: https://api.telegram.org
    telegram_token: str = ""  # CRM_TELEGRAM_TOKEN: the bot's token from @BotFather
    telegram_secret: str = ""  # CRM_TELEGRAM_SECRET: X-Telegram-Bot-Api-Secret-Token of the webhook
    spark_url: str = ""  # CRM_SPARK_URL: the SPARK SOAP endpoint (our WSDL, integrations/spark)
    spark_login: str = ""  # CRM_SPARK_LOGIN
    spark_password: str = ""  # CRM_SPARK_PASSWORD
    onec_url: str = ""  # CRM_ONEC_URL: …/odata/standard.odata of the 1С base
    onec_user: str = ""  # CRM_ONEC_USER
    onec_password: str = ""  # CRM_ONEC_PASSWORD
    # CRM_ESCALATION_GRACE: how long a task may stay overdue before the manager is told
    escalation_grace: timedelta = field(default_factory=lambda: timedelta(hours=4))
    lead_retention_days: int = 1095  # CRM_LEAD_RETENTION_DAYS: leads are anonymised after this (152-ФЗ)
    intake_rate_per_minute: int = 20  # CRM_INTAKE_RATE_PER_MINUTE: site-form leads per address
    # Budget of one BPMN script or expression run (engine.sandbox_budget), and the data it may leave
    script_time_budget: float = 2.0  # CRM_SCRIPT_TIME_BUDGET, seconds
    script_memory_mb: int = 256  # CRM_SCRIPT_MEMORY_MB
    process_data_kb: int = 2048  # CRM_PROCESS_DATA_KB: a task's data after a script, as JSON
    instance_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "instance")
    processes_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "processes")
    forms_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "forms")
    extra: dict = field(default_factory=dict)  # raw Flask config overrides (tests)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def public_url(self) -> str:
        """Where links in e-mails point: ``CRM_BASE_URL``, else the address ``crm run`` listens on."""
        return (self.base_url or f"http://{self.host}:{self.port}").rstrip("/")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Read settings from ``environ`` (default: ``os.environ``)."""
        env = os.environ if environ is None else environ
        instance_dir = Path(env.get("CRM_INSTANCE_DIR") or PROJECT_ROOT / "instance")
        mode = env.get("CRM_ENV", "development")
        database_url = env.get("CRM_DATABASE_URL") or f"sqlite:///{instance_dir / 'crm.db'}"
        secret = env.get("CRM_SECRET_KEY") or ""
        if not secret:
            if mode == "production":
                raise RuntimeError("CRM_SECRET_KEY обязателен в режиме production")
            secret = _default_secret(instance_dir)
        return cls(
            database_url=database_url,
            secret_key=secret,
            env=mode,
            host=env.get("CRM_HOST", "127.0.0.1"),
            port=int(env.get("CRM_PORT", "5000")),
            timezone=env.get("CRM_TIMEZONE", "Europe/Moscow"),
            scheduler=_bool(env.get("CRM_SCHEDULER"), True),
            scheduler_interval=float(env.get("CRM_SCHEDULER_INTERVAL", "5")),
            workers=int(env.get("CRM_WORKERS", "1")),
            threads=int(env.get("CRM_THREADS", "4")),
            server_timing=_bool(env.get("CRM_SERVER_TIMING"), False),
            demo_history_months=int(env.get("CRM_DEMO_HISTORY_MONTHS", "12")),
            session_cookie_secure=_bool(env.get("CRM_SESSION_COOKIE_SECURE"), mode == "production"),
            login_max_failures=int(env.get("CRM_LOGIN_MAX_FAILURES", "5")),
            login_lock_seconds=int(env.get("CRM_LOGIN_LOCK_SECONDS", "30")),
            session_idle_minutes=int(env.get("CRM_SESSION_IDLE_MINUTES", "120")),
            session_max_hours=int(env.get("CRM_SESSION_MAX_HOURS", "12")),
            smtp_url=env.get("CRM_SMTP_URL", "smtp://127.0.0.1:8025"),
            mail_from=env.get("CRM_MAIL_FROM", "crm@localhost"),
            base_url=env.get("CRM_BASE_URL", ""),
            registry_url=env.get("CRM_REGISTRY_URL", "http://127.0.0.1:8090"),
            registry_token=env.get("CRM_REGISTRY_TOKEN", ""),
            registry_refresh_per_minute=int(env.get("CRM_REGISTRY_REFRESH_PER_MINUTE", "30")),
            edo_url=env.get("CRM_EDO_URL", ""),
            edo_token=env.get("CRM_EDO_TOKEN", ""),
            edo_timeout=float(env.get("CRM_EDO_TIMEOUT", "10")),
            mango_url=env.get("CRM_MANGO_URL", ""),
            mango_api_key=env.get("CRM_MANGO_API_KEY", ""),
            mango_api_salt=env.get("CRM_MANGO_API_SALT", ""),
            imap_urls=env.get("CRM_IMAP_URLS", ""),
            telegram_api_url=env.get("CRM_TELEGRAM_API_URL", "https://api.telegram.org"),
            telegram_token=env.get("CRM_TELEGRAM_TOKEN", ""),
            telegram_secret=env.get("CRM_TELEGRAM_SECRET", ""),
            spark_url=env.get("CRM_SPARK_URL", ""),
            spark_login=env.get("CRM_SPARK_LOGIN", ""),
            spark_password=env.get("CRM_SPARK_PASSWORD", ""),
            onec_url=env.get("CRM_ONEC_URL", ""),
            onec_user=env.get("CRM_ONEC_USER", ""),
            onec_password=env.get("CRM_ONEC_PASSWORD", ""),
            escalation_grace=parse_duration(env.get("CRM_ESCALATION_GRACE") or "PT4H"),
            intake_rate_per_minute=int(env.get("CRM_INTAKE_RATE_PER_MINUTE", "20")),
            lead_retention_days=int(env.get("CRM_LEAD_RETENTION_DAYS", "1095")),
            script_time_budget=float(env.get("CRM_SCRIPT_TIME_BUDGET", "2")),
            script_memory_mb=int(env.get("CRM_SCRIPT_MEMORY_MB", "256")),
            process_data_kb=int(env.get("CRM_PROCESS_DATA_KB", "2048")),
            instance_dir=instance_dir,
            processes_dir=Path(env.get("CRM_PROCESSES_DIR") or PROJECT_ROOT / "processes"),
            forms_dir=Path(env.get("CRM_FORMS_DIR") or PROJECT_ROOT / "forms"),
        )
