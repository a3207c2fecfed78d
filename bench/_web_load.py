"""The load generator of ``bench/web.py``: locust as a library, in a process of its own.

locust patches the standard library with gevent when imported, which the data loading and the
server of ``bench/web.py`` must not run under; so that module starts this one as
``python -m bench._web_load BASE PLAN OUT USERS SECONDS`` and reads the JSON it writes.

Each simulated person logs in through the login form (CSRF token and all) with an account of
the plan, then works without pauses through a weighted mix of pages; every answer is checked
for its status and a marker of its content. Logins are not timed: the figures start once every
person is in.
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import html  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import gevent  # noqa: E402
from locust import HttpUser, constant, task  # noqa: E402
from locust.env import Environment  # noqa: E402

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TIMING = re.compile(r"cpu;dur=([\d.]+).*sql;desc=\"statements\";dur=(\d+)")
BASE, PLAN, OUT, USERS, SECONDS = sys.argv[1:6] if len(sys.argv) > 5 else ("", "", "", "1", "1")
ACCOUNTS: list[dict[str, Any]] = json.loads(Path(PLAN).read_text())["accounts"] if PLAN else []
NEXT_ACCOUNT = itertools.count()
SERVER: dict[str, dict[str, list[float]]] = defaultdict(lambda: {"cpu": [], "sql": []})
EXAMPLES: dict[str, str] = {}
LOGGED_IN: set[int] = set()
# A browser opening a page asks for HTML by name (the server reads the navigation badges with the
# session check then); the API calls ask for JSON, as scripts do.
PAGE_ACCEPT = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
API_ACCEPT = {"Accept": "application/json"}


class Person(HttpUser):
    """One logged-in employee working through the pages of the CRM without pauses."""

    wait_time = constant(0)

    def on_start(self) -> None:
        self.account = ACCOUNTS[next(NEXT_ACCOUNT) % len(ACCOUNTS)]
        form = self.client.get("/login", name="вход")
        token = CSRF.search(form.text)
        answer = self.client.post("/login", name="вход", data={
            "csrf_token": token.group(1) if token else "", "login": self.account["login"],
            "password": self.account["password"], "next": ""})
        if answer.status_code != 200 or answer.url.rstrip("/").endswith("/login"):
            raise RuntimeError(f"вход {self.account['login']} не удался: {answer.status_code}")
        LOGGED_IN.add(id(self))

    def _open(self, name: str, path: str, marker: str) -> None:
        headers = API_ACCEPT if path.startswith("/api/") else PAGE_ACCEPT
        with self.client.get(path, name=name, headers=headers, catch_response=True,
                             allow_redirects=False) as answer:
            timing = TIMING.search(answer.headers.get("Server-Timing", ""))
            if timing:
                SERVER[name]["cpu"].append(float(timing.group(1)))
                SERVER[name]["sql"].append(float(timing.group(2)))
            body = html.unescape(answer.text)
            if answer.status_code != 200:
                answer.failure(f"HTTP {answer.status_code}")
                EXAMPLES.setdefault(name, f"{path}: HTTP {answer.status_code}")
            elif marker not in body:
                answer.failure(f"нет «{marker}»")
                EXAMPLES.setdefault(name, f"{path}: нет «{marker}»")

    def _client(self) -> list:
        return random.choice(self.account["clients"])

    def _deal(self) -> list:
        return random.choice(self.account["deals"])

    @task(1)
    def home(self) -> None:
        self._open("главная", "/", "</h1>")

    @task(3)
    def inbox(self) -> None:
        self._open("входящие", "/inbox/", "Входящие")

    @task(2)
    def client_search(self) -> None:
        _id, name, _inn = self._client()
        words = name.split("«", 1)[1].rstrip("»")
        self._open("клиенты: поиск", f"/clients/?q={words}", name)

    @task(1)
    def client_by_inn(self) -> None:
        _id, name, inn = self._client()
        self._open("клиенты: ИНН", f"/clients/?q={inn}", name)

    @task(3)
    def client_card(self) -> None:
        client_id, name, _inn = self._client()
        self._open("карточка клиента", f"/clients/{client_id}", name)

    @task(2)
    def deals(self) -> None:
        self._open("сделки", "/deals/", "Сделки")

    @task(2)
    def deal_search(self) -> None:
        _id, title, inn = self._deal()
        self._open("сделки: поиск", f"/deals/?q={inn}", title)

    @task(1)
    def board(self) -> None:
        self._open("доска", "/deals/?funnel=company", "Сделки")

    @task(3)
    def deal_card(self) -> None:
        deal_id, title, _inn = self._deal()
        self._open("карточка сделки", f"/deals/{deal_id}", title)

    @task(1)
    def task_form(self) -> None:
        self._open("новая задача", "/inbox/tasks/new", "Новая задача")

    @task(1)
    def api_deals(self) -> None:
        self._open("API: сделки", "/api/v1/deals?limit=20", '"title"')

    @task(1)
    def api_client(self) -> None:
        client_id, name, _inn = self._client()
        self._open("API: клиент", f"/api/v1/clients/{client_id}", name)


def _figures(entry: Any, seconds: float, server: dict[str, list[float]] | None) -> dict[str, Any]:
    cpu, sql = (server or {}).get("cpu") or [0.0], (server or {}).get("sql") or [0.0]
    percentile = entry.get_response_time_percentile
    return {"requests": entry.num_requests, "errors": entry.num_failures, "rps": entry.num_requests / seconds,
            "p50": percentile(0.5) or 0, "p95": percentile(0.95) or 0, "p99": percentile(0.99) or 0,
            "cpu_p50": statistics.median(cpu),
            "cpu_mean": statistics.fmean(cpu), "sql_p50": statistics.median(sql)}


def main() -> None:
    users, seconds = int(USERS), float(SECONDS)
    env = Environment(user_classes=[Person], host=BASE)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=users)
    deadline = time.monotonic() + 120
    while len(LOGGED_IN) < users and time.monotonic() < deadline:
        gevent.sleep(0.1)
    env.stats.reset_all()
    SERVER.clear()
    EXAMPLES.clear()
    started = time.monotonic()
    gevent.sleep(seconds)
    elapsed = time.monotonic() - started
    runner.quit()
    pages = {name: {**_figures(entry, elapsed, SERVER.get(name)), "example": EXAMPLES.get(name, "")}
             for (name, _method), entry in env.stats.entries.items() if name != "вход"}
    total = _figures(env.stats.total, elapsed, None)
    Path(OUT).write_text(json.dumps({"pages": pages, "total": total, "users": len(LOGGED_IN),
                                     "seconds": elapsed}, ensure_ascii=False))


if __name__ == "__main__":
    main()
