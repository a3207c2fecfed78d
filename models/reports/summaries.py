"""Keeps the summary tables in step with deals, stage entries and activities, in the same transaction.

A session hook does it for every code path that changes these rows through the ORM (stage
moves, edits, hand-overs, the lead process, demo data): before a flush it reads the stored
values of each changed or deleted row and takes their contribution away; after the flush it
reads the new stored values and adds theirs. Reading both from the database (not from the
objects) keeps it exact whichever attribute or relationship a service set. The deltas go out
as atomic upserts (``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n``), so concurrent
transactions add up instead of overwriting each other. Bulk loads that bypass the ORM call
``models.reports.rebuild.rebuild_summaries`` afterwards.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Table, bindparam, event, inspect, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, SessionTransaction

from models.clients.cards import Client
from models.platform.db import Base, UTCDateTime, utcnow
from models.platform.events import DomainEvent
from models.reports.periods import NO_DATE, local_day, month_start
from models.reports.tables import (
    ALL_DAYS,
    PRODUCT_LEN,
    ActivityBucket,
    ChangeMark,
    DealTotal,
    OpenDealAge,
    OutcomeBucket,
    PipelineBucket,
    StageEntryBucket,
    StageEntryMonth,
)
from models.sales.activities import Activity
from models.sales.deals import Deal, DealStageHistory, DealStatus
from models.sales.leads import Lead
from models.tasks.adhoc import Task

Contribution = tuple[type[Base], tuple, dict[str, int]]
_DEAL_ATTRS = frozenset(
    {
        "owner_id",
        "owner",
        "funnel_id",
        "funnel",
        "stage_id",
        "stage",
        "status",
        "premium",
        "contract_premium",
        "probability",
        "expected_close_date",
        "product_lines",
        "closed_at",
        "created_at",
        "loss_reason_id",
        "loss_reason",
        "stage_entered_at",
        "last_activity_at",
    }
)
# the deal's columns a stage entry's bucket is keyed by (besides the entry's own day and stage)
_ENTRY_KEY_ATTRS = frozenset({"owner_id", "owner", "funnel_id", "funnel", "product_lines"})
_HISTORY_ATTRS = frozenset({"entered_at", "stage_id", "stage", "deal_id", "deal"})
_ACTIVITY_ATTRS = frozenset({"happened_at", "user_id", "user", "kind"})
_TRACKED: dict[type, frozenset[str]] = {
    Deal: _DEAL_ATTRS,
    DealStageHistory: _HISTORY_ATTRS,
    Activity: _ACTIVITY_ATTRS,
}
_MARKED: dict[type, str] = {
    Deal: "deals",
    Activity: "activities",
    Lead: "leads",
    Client: "clients",
    Task: "tasks",
}
_KEYS: dict[type, tuple[str, ...]] = {
    PipelineBucket: ("owner_id", "funnel_id", "stage_id", "product", "close_month"),
    StageEntryBucket: ("day", "owner_id", "funnel_id", "stage_id", "product"),
    StageEntryMonth: ("month", "owner_id", "funnel_id", "stage_id", "product"),
    OutcomeBucket: ("day", "owner_id", "funnel_id", "product", "status", "loss_reason_id"),
    ActivityBucket: ("day", "user_id", "kind"),
    OpenDealAge: ("clock", "stage_id", "day", "owner_id", "funnel_id"),
    DealTotal: ("owner_id", "funnel_id", "stage_id", "status"),
}
_CHUNK = 500


def kopecks(amount: Decimal | float | int | None) -> int:
    return int((Decimal(str(amount or 0)) * 100).to_integral_value())


def main_product(lines: Any) -> str:
    """The deal's first product line: the product a deal is reported under."""
    return str(lines[0])[:PRODUCT_LEN] if isinstance(lines, list) and lines else ""


def utc_day(moment: datetime) -> date:
    """The UTC calendar date of a stored moment: the day bucket of ``OpenDealAge``."""
    return moment.astimezone(UTC).date()


def _ages(v: dict[str, Any], owner: int) -> list[Contribution]:
    """An open deal's place in the «stuck» and «no activity» clocks: its day and the total row."""
    out: list[Contribution] = []
    quiet = v["last_activity_at"] or v["created_at"]
    for clock, stage, moment in (("stage", v["stage_id"], v["stage_entered_at"]), ("quiet", 0, quiet)):
        if moment is not None:
            for day in (utc_day(moment), ALL_DAYS):
                out.append((OpenDealAge, (clock, stage, day, owner, v["funnel_id"]), {"n": 1}))
    return out


def deal_contributions(v: dict[str, Any]) -> list[Contribution]:
    """What one deal (its stored values) adds to the pipeline, age, total and outcome summaries."""
    owner, product = v["owner_id"] or 0, main_product(v["product_lines"])
    total: Contribution = (
        DealTotal,
        (owner, v["funnel_id"], v["stage_id"], v["status"]),
        {"n": 1, "n_premium": int(v["premium"] is not None), "premium_kop": kopecks(v["premium"]),
         "weighted_pk": kopecks(v["premium"]) * (v["probability"] or 0)},
    )
    if v["status"] == DealStatus.OPEN:
        close: date = month_start(v["expected_close_date"]) if v["expected_close_date"] else NO_DATE
        premium = kopecks(v["premium"])
        return [
            (
                PipelineBucket,
                (owner, v["funnel_id"], v["stage_id"], product, close),
                {"n": 1, "premium_kop": premium, "weighted_pk": premium * (v["probability"] or 0)},
            ),
            *_ages(v, owner),
            total,
        ]
    if v["closed_at"] is None:
        return [total]
    premium = kopecks(
        v["contract_premium"]
        if v["status"] == DealStatus.WON and v["contract_premium"] is not None
        else v["premium"]
    )
    cycle = max(0, round((v["closed_at"] - v["created_at"]).total_seconds()))
    reason = (v["loss_reason_id"] or 0) if v["status"] == DealStatus.LOST else 0
    return [
        (
            OutcomeBucket,
            (local_day(v["closed_at"]), owner, v["funnel_id"], product, v["status"], reason),
            {"n": 1, "premium_kop": premium, "cycle_seconds": cycle},
        ),
        total,
    ]


def entry_contributions(v: dict[str, Any]) -> list[Contribution]:
    """One stage entry counts once in its Moscow day's bucket and once in its month's."""
    day = local_day(v["entered_at"])
    rest = (v["owner_id"] or 0, v["funnel_id"], v["stage_id"], main_product(v["product_lines"]))
    return [
        (StageEntryBucket, (day, *rest), {"n": 1}),
        (StageEntryMonth, (month_start(day), *rest), {"n": 1}),
    ]


def activity_contributions(v: dict[str, Any]) -> list[Contribution]:
    return [(ActivityBucket, (local_day(v["happened_at"]), v["user_id"] or 0, v["kind"]), {"n": 1})]


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def _stored(conn: Connection, model: type, ids: list[int]) -> list[Contribution]:
    """Contributions of the rows ``ids`` of ``model`` as the database holds them now."""
    out: list[Contribution] = []
    for chunk in _chunks(ids):
        if model is Deal:
            rows = conn.execute(
                select(
                    Deal.owner_id,
                    Deal.funnel_id,
                    Deal.stage_id,
                    Deal.status,
                    Deal.premium,
                    Deal.contract_premium,
                    Deal.probability,
                    Deal.expected_close_date,
                    Deal.product_lines,
                    Deal.closed_at,
                    Deal.created_at,
                    Deal.loss_reason_id,
                    Deal.stage_entered_at,
                    Deal.last_activity_at,
                ).where(Deal.id.in_(chunk))
            ).mappings()
            out += [c for r in rows for c in deal_contributions(dict(r))]
        elif model is DealStageHistory:
            rows = conn.execute(
                select(
                    DealStageHistory.entered_at,
                    DealStageHistory.stage_id,
                    Deal.owner_id,
                    Deal.funnel_id,
                    Deal.product_lines,
                )
                .join(Deal, DealStageHistory.deal_id == Deal.id)
                .where(DealStageHistory.id.in_(chunk))
            ).mappings()
            out += [c for r in rows for c in entry_contributions(dict(r))]
        else:
            rows = conn.execute(
                select(Activity.happened_at, Activity.user_id, Activity.kind).where(Activity.id.in_(chunk))
            ).mappings()
            out += [c for r in rows for c in activity_contributions(dict(r))]
    return out


def _relevant(obj: Any, attrs: frozenset[str]) -> bool:
    return bool(attrs & set(inspect(obj).committed_state))


def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    """Take away the stored contribution of every changed or deleted tracked row.

    A deal handed over, moved to another funnel or given another first product takes its stage
    entries along: they are read and re-added too, since their buckets are keyed by the deal's
    owner, funnel and product.
    """
    changed: dict[type, set[int]] = {m: set() for m in _TRACKED}
    for obj in session.dirty:
        attrs = _TRACKED.get(type(obj))
        if attrs is not None and obj.id is not None and _relevant(obj, attrs):
            changed[type(obj)].add(obj.id)
    for obj in session.deleted:
        if type(obj) in _TRACKED and obj.id is not None:
            changed[type(obj)].add(obj.id)
    pending: list[tuple[Contribution, int]] = session.info.setdefault("report_deltas", [])
    later: dict[type, set[int]] = session.info.setdefault("report_recount", {m: set() for m in _TRACKED})
    if not any(changed.values()):
        return
    conn = session.connection()
    rekeyed = [o.id for o in session.dirty
               if type(o) is Deal and o.id is not None and _relevant(o, _ENTRY_KEY_ATTRS)]
    for chunk in _chunks(rekeyed):
        changed[DealStageHistory].update(
            conn.scalars(select(DealStageHistory.id).where(DealStageHistory.deal_id.in_(chunk)))
        )
    for model, ids in changed.items():
        pending += [(c, -1) for c in _stored(conn, model, sorted(ids))]
        later[model].update(ids)  # what still exists after the flush is added back from the database


def _after_flush(session: Session, flush_context: Any) -> None:
    """Add the stored contribution of every new or changed tracked row, then write all deltas."""
    pending: list[tuple[Contribution, int]] = session.info.pop("report_deltas", [])
    later: dict[type, set[int]] = session.info.pop("report_recount", {})
    fresh: dict[type, set[int]] = defaultdict(set)
    for model, ids in later.items():
        fresh[model].update(ids)
    for obj in session.new:
        if type(obj) in _TRACKED:
            fresh[type(obj)].add(obj.id)
    conn = session.connection()
    for model, ids in fresh.items():
        pending += [(c, 1) for c in _stored(conn, model, sorted(ids))]
    _write(conn, pending)
    _mark_changes(conn, session)


def _write(conn: Connection, pending: list[tuple[Contribution, int]]) -> None:
    totals: dict[tuple[type, tuple], dict[str, int]] = {}
    for (model, key, measures), sign in pending:
        slot = totals.setdefault((model, key), defaultdict(int))
        for name, value in measures.items():
            slot[name] += sign * value
    by_model: dict[type, list[dict[str, Any]]] = defaultdict(list)
    for (model, key), measures in totals.items():
        if any(measures.values()):
            by_model[model].append({**dict(zip(_KEYS[model], key, strict=True)), **measures})
    for model, rows in by_model.items():
        upsert(conn, model, rows, additive=True)


def upsert(conn: Connection, model: type, rows: list[dict[str, Any]], *, additive: bool) -> None:
    """Insert ``rows`` into ``model``'s table; on a key already there add (or set) the measures."""
    if not rows:
        return
    table = model.__table__  # type: ignore[attr-defined]
    for group in _by_columns(rows):
        conn.execute(_upsert_statement(table, conn.dialect.name, tuple(group[0]), additive), group)


@lru_cache(maxsize=256)
def _upsert_statement(table: Table, dialect_name: str, names: tuple[str, ...], additive: bool) -> Any:
    """``upsert``'s statement for one table, dialect and set of columns, built once: building it
    (the ``excluded`` columns, the conflict clause) cost as much as running it, on every flush that
    touched a deal, a lead, an activity or a client."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    keys = [c.name for c in table.primary_key.columns]
    stmt = dialect.insert(table)
    values = {n: (table.c[n] + stmt.excluded[n]) if additive else stmt.excluded[n]
              for n in names if n not in keys}
    return stmt.on_conflict_do_update(index_elements=keys, set_=values)


def _by_columns(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[tuple(sorted(row))].append(row)
    return list(groups.values())


_MARKED_NOW = "crm.report_marked_in_transaction"


def _mark_changes(conn: Connection, session: Session) -> None:
    """Record when deals, activities, leads and clients changed, for the BI feed's cursor."""
    now: datetime = utcnow()
    # A dirty object whose attributes were only set to the values they had changed nothing: no mark.
    marks = {
        (_MARKED[type(o)], o.id)
        for o in (*session.new, *session.dirty)
        if type(o) in _MARKED and o.id is not None and o not in session.deleted
        and (o in session.new or session.is_modified(o))
    }
    for history in (o for o in (*session.new, *session.dirty) if type(o) is DealStageHistory):
        if history.deal_id is not None:
            marks.add(("deals", history.deal_id))
    # A record marked by an earlier flush of this transaction is not marked again: the marks commit
    # together, and the feed reads the record as committed (a new lead was marked at its insert,
    # its routing in the same transaction wrote the same mark again). Forgotten when the
    # transaction or a savepoint ends, so a rolled-back savepoint's marks are written again.
    written: set[tuple[str, int]] = session.info.setdefault(_MARKED_NOW, set())
    marks -= written
    written |= marks
    upsert(
        conn,
        ChangeMark,
        [{"entity": e, "record_id": i, "updated_at": now} for e, i in sorted(marks)],
        additive=False,
    )


_BULK_MARK_SQL = {
    # One statement for any number of ids (an import marks tens of thousands at once).
    "postgresql": "INSERT INTO report_change (entity, record_id, updated_at) "
                  "SELECT :entity, unnest(CAST(:ids AS integer[])), :at "
                  "ON CONFLICT (entity, record_id) DO UPDATE SET updated_at = excluded.updated_at",
    "sqlite": "INSERT INTO report_change (entity, record_id, updated_at) "
              "SELECT :entity, value, :at FROM json_each(:ids) WHERE true "
              "ON CONFLICT (entity, record_id) DO UPDATE SET updated_at = excluded.updated_at",
}


def mark_bulk_created(session: Session, event: DomainEvent) -> None:
    """Mark clients a bulk load wrote around the ORM (the import), as the flush hook marks the rest.

    One ``INSERT … SELECT`` over the ids (an array on PostgreSQL, ``json_each`` on SQLite)
    instead of a row of parameters per client.
    """
    ids = [int(i) for i in event.payload["client_ids"]]
    if not ids:
        return
    conn = session.connection()
    statement = text(_BULK_MARK_SQL[conn.dialect.name]).bindparams(bindparam("at", type_=UTCDateTime))
    conn.execute(statement, {"entity": _MARKED[Client], "at": event.at,
                             "ids": ids if conn.dialect.name == "postgresql" else json.dumps(ids)})


def _forget(session: Session, *args: Any) -> None:
    """A rolled-back flush leaves no deltas behind for the next one."""
    session.info.pop("report_deltas", None)
    session.info.pop("report_recount", None)
    session.info.pop(_MARKED_NOW, None)


def _forget_marks(session: Session, transaction: SessionTransaction) -> None:
    """A transaction or savepoint ended (not a flush's own inner one): the next marks its changes again."""
    if transaction.parent is None or transaction.nested:
        session.info.pop(_MARKED_NOW, None)


def install() -> None:
    """Hook the maintenance into every session (idempotent: building many apps installs it once)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_soft_rollback", _forget)
        event.listen(Session, "after_transaction_end", _forget_marks)
