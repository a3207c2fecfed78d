"""The dashboard page as a browser waits for it: the shell, then its parts fetched six at a time.

``bench/reports.py`` times each tile inside the process; what a person waits for is the page
over HTTP: ``GET /reports/`` (the shell) and then every ``data-src`` part of it in parallel,
six connections at a time as a browser opens them to one host, against ``crm run`` (gunicorn)
on the kept database. The wait is the shell plus the parts' wall time, so with parallel parts
it follows the slowest part, not the sum; on the shared 2-core machine the parts also compete
for the cores. The three bench logins get the password ``bench`` first (hashed) so they can log
in through the form, CSRF token and all.
"""

from __future__ import annotations

import re
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from sqlalchemy import update
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from bench.common import check, served
from models.identity.users import User

PASSWORD = "bench"
BROWSER_CONNECTIONS = 6
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PART = re.compile(r'data-src="([^"]+)"')


def _logged_in(base: str, login: str) -> requests.Session:
    http = requests.Session()
    token = CSRF.search(http.get(f"{base}/login", timeout=30).text)
    answer = http.post(f"{base}/login", timeout=60, data={
        "csrf_token": token.group(1) if token else "", "login": login, "password": PASSWORD, "next": ""})
    check(answer.ok and not answer.url.rstrip("/").endswith("/login"), f"вход {login} не удался")
    return http


def _page(base: str, http: requests.Session, pool: ThreadPoolExecutor) -> tuple[float, float, float, float]:
    """One page view: (shell, whole page, slowest part, the parts' sum) in milliseconds."""
    started = time.perf_counter()
    shell = http.get(f"{base}/reports/", timeout=60)
    shell_ms = (time.perf_counter() - started) * 1000
    parts = [src.replace("&amp;", "&") for src in PART.findall(shell.text)]
    check(shell.ok and len(parts) == 11, f"оболочка дашборда: {shell.status_code}, частей {len(parts)}")

    def fetch(src: str) -> float:
        begun = time.perf_counter()
        answer = requests.get(f"{base}{src}", cookies=http.cookies, timeout=60)
        check(answer.ok, f"{src}: {answer.status_code}")
        return (time.perf_counter() - begun) * 1000

    times = list(pool.map(fetch, parts))
    return shell_ms, (time.perf_counter() - started) * 1000, max(times), sum(times)


def measure_page(engine, url: str, instance: Path, logins: dict[str, str], runs: int, line) -> None:
    """Print the shell, the whole page and its slowest part for each of ``logins`` (login → who)."""
    with Session(engine) as session:
        session.execute(update(User).where(User.login.in_(list(logins)))
                        .values(password_hash=generate_password_hash(PASSWORD)))
        session.commit()
    engine.dispose()
    with served(url, instance) as (base, _pid), ThreadPoolExecutor(BROWSER_CONNECTIONS) as pool:
        for login, who in logins.items():
            http = _logged_in(base, login)
            _page(base, http, pool)  # the first view warms the workers (imports, templates)
            samples = [_page(base, http, pool) for _ in range(runs)]
            for i, name in enumerate(("shell", "whole page (shell + parts)", "slowest part")):
                print(line(f"{who} HTTP {name}", [s[i] for s in samples]), flush=True)
            summed = statistics.median(s[3] for s in samples)  # the parts' times added up
            print(f"  {who} HTTP parts summed: p50 {summed:.1f} ms (not waited for: they run in parallel)",
                  flush=True)
