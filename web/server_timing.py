"""``Server-Timing`` on every answer when ``CRM_SERVER_TIMING=1``: what a request cost the server.

The HTTP load benchmark (``bench/web.py``) shares the 2-core machine with its load generator, so
requests per second and latency there depend on who gets the CPU. The figure that does not is the
server's own CPU time per request, measured here per thread (``time.thread_time``: gunicorn's
threads each serve one request at a time), with the wall time and the number of SQL statements:

    Server-Timing: cpu;dur=3.21, app;dur=4.90, sql;desc="statements";dur=7

Off by default: the header tells a caller how long a request took, which production need not say.
"""

from __future__ import annotations

import time

from flask import Flask, Response, g, has_request_context

from models.platform.statements import on_every_statement


def _start() -> None:
    g.timing_started = (time.thread_time(), time.perf_counter())
    g.timing_statements = 0


def _count_statement(*_args: object) -> None:
    if has_request_context() and "timing_statements" in g:
        g.timing_statements += 1


def _header(response: Response) -> Response:
    started = g.get("timing_started")
    if started is not None:
        cpu = (time.thread_time() - started[0]) * 1000
        wall = (time.perf_counter() - started[1]) * 1000
        response.headers["Server-Timing"] = (
            f'cpu;dur={cpu:.2f}, app;dur={wall:.2f}, sql;desc="statements";dur={g.timing_statements}'
        )
    return response


def init_app(app: Flask) -> None:
    """Install the timing hooks when the settings ask for them (first before-request hook)."""
    if not app.extensions["crm.settings"].server_timing:
        return
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_header)
    on_every_statement(_count_statement)
