"""The BI feed: pages in (updated_at, id) order with a cursor, the caller's rights, JSON lines, CSV, CLI."""

from __future__ import annotations

import csv
import io
import json

from tests.conftest import csrf_from, login
from tests.reports.conftest import NOW
from web.cli import cli


def test_paging_with_the_cursor_returns_every_deal_once(sales, client, clock):
    clock.set(NOW)
    login(client, "head")
    seen, cursor, pages = [], None, 0
    while True:
        answer = client.get(
            "/api/v1/export/deals", query_string={"limit": 4, **({"cursor": cursor} if cursor else {})}
        )
        assert answer.status_code == 200 and answer.mimetype == "application/x-ndjson"
        seen += [json.loads(line) for line in answer.get_data(as_text=True).splitlines()]
        pages += 1
        cursor = answer.headers.get("X-Next-Cursor")
        if not cursor:
            break
    assert pages == 2 and sorted(r["title"] for r in seen) == ["D1", "D2", "D3", "D4", "D5", "D6"]
    d1 = next(r for r in seen if r["title"] == "D1")
    assert (
        d1["premium"] == "100000.00"
        and d1["status"] == "won"
        and d1["closed_at"].startswith("2026-01-31T20:30")
    )
    later = client.get("/api/v1/export/deals", query_string={"updated_since": "2999-01-01T00:00:00+03:00"})
    assert later.get_data(as_text=True) == ""


def test_csv_format_bad_requests_and_rights(sales, client, clock):
    clock.set(NOW)
    login(client, "head")
    answer = client.get("/api/v1/export/activities?format=csv")
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert sorted(r["kind"] for r in rows) == ["call", "meeting"]
    bad = client.get("/api/v1/export/deals?updated_since=вчера")
    assert bad.status_code == 400 and "ISO 8601" in bad.get_json()["error"]["message"]
    assert client.get("/api/v1/export/contracts").status_code == 400
    docs = client.get("/reports/export").get_data(as_text=True)
    assert "/api/v1/export/deals" in docs and "<code>premium</code>" in docs
    client.post("/logout", data={"csrf_token": csrf_from(docs)})
    login(client, "manager")
    assert client.get("/api/v1/export/deals").status_code == 403


def test_crm_export_writes_the_whole_feed(sales, app, tmp_path):
    target = tmp_path / "deals.csv"
    result = app.test_cli_runner().invoke(
        cli, ["export", "deals", "--format", "csv", "--output", str(target)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert len(rows) == 6 and rows[0].keys() >= {"id", "title", "premium", "updated_at"}
    refused = app.test_cli_runner().invoke(cli, ["export", "contracts"])
    assert refused.exit_code != 0 and "Нет выгрузки" in refused.output
