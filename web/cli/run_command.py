"""``crm run``: the web server (gunicorn, threaded) with the scheduler inside.

Each worker process starts its own scheduler; that is safe because timers and outbox
rows are claimed in the database. ``crm worker`` runs only the scheduler, for setups
where web and background work are separate processes.
"""

from __future__ import annotations

import gc
import signal
import threading

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from gunicorn.app.base import BaseApplication

from web.scheduler import registered_jobs, start_scheduler


class _Server(BaseApplication):
    def __init__(self, app: Flask, options: dict) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


@click.command("run")
@click.option("--host", default=None, help="адрес (по умолчанию CRM_HOST)")
@click.option("--port", default=None, type=int, help="порт (по умолчанию CRM_PORT)")
@click.option("--no-scheduler", is_flag=True, help="не запускать планировщик")
@with_appcontext
def run(host: str | None, port: int | None, no_scheduler: bool) -> None:
    """Запустить веб-сервер и планировщик."""
    app = current_app._get_current_object()
    settings = app.extensions["crm.settings"]
    bind = f"{host or settings.host}:{port or settings.port}"
    with_scheduler = settings.scheduler and not no_scheduler

    def post_worker_init(worker) -> None:
        if with_scheduler:
            start_scheduler(app)

    click.echo(f"CRM: http://{bind}  (планировщик: {'включён' if with_scheduler else 'выключен'})")
    # The app, its templates, the SQLAlchemy mappers and the process specs are built once before the
    # workers fork and live as long as they do: frozen, the collector's full passes skip them (a
    # pass over them cost ≈ 300 ms inside a request under load, bench/reports) and the workers
    # share their pages instead of copying them when the collector touches them.
    gc.collect()
    gc.freeze()
    _Server(app, {
        "bind": bind, "workers": settings.workers, "threads": settings.threads, "worker_class": "gthread",
        "timeout": 120, "accesslog": "-", "post_worker_init": post_worker_init,
    }).run()


@click.command("worker")
@with_appcontext
def worker() -> None:
    """Только планировщик: таймеры процессов, исходящие письма, напоминания."""
    app = current_app._get_current_object()
    scheduler = start_scheduler(app)
    click.echo(f"Планировщик запущен: {', '.join(registered_jobs(app)) or 'нет задач'}")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    scheduler.shutdown()


def register(cli: click.Group) -> None:
    cli.add_command(run)
    cli.add_command(worker)
