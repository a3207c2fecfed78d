"""Feed rows as text: JSON lines (ISO dates, money as strings) or CSV (UTF-8, «,», ISO dates) for BI tools.

Unlike the Excel CSV of the reports, the BI format is locale-free, so loaders parse it the same everywhere.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from models.reports.feed import FeedPage


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def jsonl_lines(page: FeedPage) -> list[str]:
    return [
        json.dumps(dict(zip(page.columns, map(_plain, row), strict=True)), ensure_ascii=False) + "\n"
        for row in page.rows
    ]


def csv_text(page: FeedPage, header: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header:
        writer.writerow(page.columns)
    for row in page.rows:
        writer.writerow(["" if v is None else _plain(v) for v in row])
    return out.getvalue()
