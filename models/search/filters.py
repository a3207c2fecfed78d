"""What a search asks: the words, filters (kind, author, period, client, deal, tag, product) and the page.

Parsed from query-string arguments (the page and ``GET /api/v1/search`` take the same
ones); anything unusable is a ``SearchError`` with Russian messages per field (422).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

MAX_LIMIT = 100
MOSCOW = ZoneInfo("Europe/Moscow")


class SearchError(Exception):
    """Bad search input; ``fields`` maps argument names to Russian messages."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        self.fields = fields
        self.message = "; ".join(m for ms in fields.values() for m in ms)
        super().__init__(self.message)


@dataclass
class SearchQuery:
    q: str = ""
    kind: str | None = None
    author_id: int | None = None
    client_id: int | None = None
    deal_id: int | None = None
    tag: str | None = None
    product: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    date_from: date | None = None
    date_to: date | None = None
    cursor: int | None = None
    limit: int = 20
    errors: dict[str, list[str]] = field(default_factory=dict)


def _int(args: Any, name: str, errors: dict[str, list[str]], message: str) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        errors[name] = [message]
        return None
    return int(raw)


def _day(args: Any, name: str, errors: dict[str, list[str]]) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = ["Ожидается дата ГГГГ-ММ-ДД"]
        return None


def parse_query(args: Any, kinds: set[str], zone: ZoneInfo = MOSCOW) -> SearchQuery:
    """A ``SearchQuery`` from request arguments; ``SearchError`` when something is unusable."""
    errors: dict[str, list[str]] = {}
    query = SearchQuery(q=(args.get("q") or "").strip()[:300])
    if not query.q:
        errors["q"] = ["Введите, что искать"]
    kind = (args.get("kind") or "").strip() or None
    if kind and kind not in kinds:
        errors["kind"] = ["Неизвестный вид текста"]
    query.kind = kind
    query.author_id = _int(args, "author", errors, "Автор — номер сотрудника")
    query.client_id = _int(args, "client", errors, "Клиент — номер карточки")
    query.deal_id = _int(args, "deal", errors, "Сделка — номер сделки")
    query.cursor = _int(args, "after", errors, "Неверный курсор страницы")
    limit = _int(args, "limit", errors, "Размер страницы — целое число")
    if limit is not None:
        if not 1 <= limit <= MAX_LIMIT:
            errors["limit"] = [f"Размер страницы от 1 до {MAX_LIMIT}"]
        else:
            query.limit = limit
    query.tag = (args.get("tag") or "").strip()[:80] or None
    query.product = (args.get("product") or "").strip()[:40] or None
    query.date_from, query.date_to = _day(args, "from", errors), _day(args, "to", errors)
    if query.date_from and query.date_to and query.date_to < query.date_from:
        errors["to"] = ["Конец периода раньше начала"]
    if query.date_from:
        query.since = datetime.combine(query.date_from, time(), zone).astimezone(UTC)
    if query.date_to:
        query.until = datetime.combine(query.date_to + timedelta(days=1), time(), zone).astimezone(UTC)
    if errors:
        raise SearchError(errors)
    return query
