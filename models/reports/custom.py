"""Custom reports: a definition (entity, filters, up to two group-bys, measures) checked and run.

Always run with the viewer's rights: the query starts from the entity's scope for the user
who looks, never the author's, so a report shared with a role shows each viewer only rows
that viewer may read. Dates group by the Moscow month or quarter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Integer, String, cast, func, select
from sqlalchemy.orm import Session

from models.identity.users import User
from models.reports.custom_totals import answerable, total_rows
from models.reports.entities import ReportEntity, ReportField, entities
from models.reports.periods import REPORT_ZONE
from models.reports.rebuild import SQLITE_OFFSET

MEASURES = {"count": "Количество", "sum": "Сумма", "avg": "Среднее", "min": "Минимум", "max": "Максимум"}
OPS = {"eq": "=", "ne": "≠", "contains": "содержит", "gte": "≥", "lte": "≤"}
BUCKETS = {"month": "месяц", "quarter": "квартал"}
CHARTS = {"bar": "Столбцы", "line": "Линия", "pie": "Круговая", "table": "Только таблица"}
ROW_LIMIT = 5000


class ReportDefinitionError(ValueError):
    """A definition that cannot run, with Russian messages per field."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(m for ms in errors.values() for m in ms))


@dataclass
class Column:
    label: str
    type: str  # text | int | money | percent | date | datetime | number


@dataclass
class ReportResult:
    columns: list[Column]
    rows: list[list[Any]]
    truncated: bool = False

    @property
    def empty(self) -> bool:
        return not self.rows


def _entity(code: str, errors: dict[str, list[str]]) -> ReportEntity | None:
    entity = entities().get(code)
    if entity is None:
        errors.setdefault("entity", []).append(f"Нет такого объекта для отчёта: «{code}»")
    return entity


def _typed_value(field: ReportField, raw: str) -> Any:
    if field.type in ("date", "datetime"):
        return date.fromisoformat(raw)
    if field.type in ("int", "percent"):
        return int(raw)
    if field.type == "money":
        value = Decimal(raw.replace(" ", "").replace(",", "."))
        if not value.is_finite():
            raise ValueError(raw)
        return value
    return raw


def check_definition(code: str, definition: dict[str, Any]) -> ReportEntity:
    """The entity of a valid definition; ``ReportDefinitionError`` naming every problem otherwise."""
    errors: dict[str, list[str]] = {}
    entity = _entity(code, errors)
    if entity is None:
        raise ReportDefinitionError(errors)
    groups = definition.get("group_by") or []
    if len(groups) > 2:
        errors.setdefault("group_by", []).append("Не больше двух группировок")
    for spec in groups:
        name, _, bucket = str(spec).partition(":")
        field = entity.field(name)
        if field is None or not field.groupable:
            errors.setdefault("group_by", []).append(f"По полю «{name}» группировать нельзя")
        elif bucket and (bucket not in BUCKETS or field.type not in ("date", "datetime")):
            errors.setdefault("group_by", []).append("Месяц или квартал — только для дат")
    for m in definition.get("measures") or []:
        fn, name = m.get("fn"), m.get("field")
        field = entity.field(name) if name else None
        if fn not in MEASURES:
            errors.setdefault("measures", []).append(f"Неизвестная мера «{fn}»")
        elif fn != "count" and (field is None or field.type not in ("money", "int", "percent")):
            errors.setdefault("measures", []).append(f"«{MEASURES[fn]}» считается только по числовому полю")
    _check_filters(entity, definition.get("filters") or [], errors)
    if errors:
        raise ReportDefinitionError(errors)
    return entity


def _check_filters(entity: ReportEntity, filters: list[dict], errors: dict[str, list[str]]) -> None:
    for flt in filters:
        field = entity.field(flt.get("field", ""))
        if field is None or flt.get("op") not in OPS:
            errors.setdefault("filters", []).append("Фильтр: выберите поле и условие")
            continue
        try:
            _typed_value(field, str(flt.get("value", "")).strip())
        except (ValueError, InvalidOperation):
            errors.setdefault("filters", []).append(f"Фильтр «{field.label}»: значение не подходит к полю")


def _bucket(session: Session, column: Any, bucket: str, field: ReportField) -> Any:
    pg = session.get_bind().dialect.name == "postgresql"
    if pg:
        local = func.timezone(str(REPORT_ZONE), column) if field.type == "datetime" else column
        return func.to_char(local, 'YYYY-"Q"Q' if bucket == "quarter" else "YYYY-MM")
    local = func.datetime(column, SQLITE_OFFSET) if field.type == "datetime" else column
    if bucket == "month":
        return func.strftime("%Y-%m", local)
    quarter = (cast(func.strftime("%m", local), Integer) + 2) // 3
    return func.strftime("%Y", local) + "-Q" + cast(quarter, String)


def _condition(field: ReportField, op: str, value: Any) -> Any:
    column = field.column
    if field.type == "datetime":  # a date typed by the user is a Moscow day
        start = datetime.combine(value, time(), REPORT_ZONE)
        if op == "eq":
            return (column >= start) & (column < start + timedelta(days=1))
        if op == "lte":
            return column < start + timedelta(days=1)
        value = start
    return {
        "eq": lambda: column == value,
        "ne": lambda: column != value,
        "contains": lambda: func.lower(column).contains(str(value).lower()),
        "gte": lambda: column >= value,
        "lte": lambda: column <= value,
    }[op]()


def _grouped_by_keys(entity: ReportEntity, groups: list, keyed: set[int], stmt: Any, exprs: list) -> Any:
    """Aggregate by the foreign keys of the ``keyed`` group-bys, then look their labels up per group.

    «Premium by manager» over a million deals then joins the users once per manager, not once
    per deal (SQLite joins row by row); rows come out in the labels' order as before.
    """
    inner_cols = []
    for i, expr in enumerate(exprs):
        if i in keyed:
            field = entity.field(str(groups[i]))
            assert field is not None and field.key is not None
            expr = field.key[0]
        inner_cols.append(expr.label(f"c{i}"))
    inner = stmt.with_only_columns(*inner_cols).group_by(*inner_cols[: len(groups)]).subquery()
    outer_cols: list[Any] = []
    outer = select(inner).select_from(inner)
    for i in range(len(exprs)):
        field = entity.field(str(groups[i])) if i in keyed else None
        if field is not None and field.key is not None and field.join is not None:
            outer = outer.outerjoin(field.join[0], field.key[1] == inner.c[f"c{i}"])
            outer_cols.append(field.column)
        else:
            outer_cols.append(inner.c[f"c{i}"])
    return outer.with_only_columns(*outer_cols).order_by(*outer_cols[: len(groups)])


def run_report(session: Session, viewer: User, code: str, definition: dict[str, Any]) -> ReportResult:
    """Run ``definition`` on entity ``code`` with ``viewer``'s rights."""
    entity = check_definition(code, definition)
    stmt = entity.scope(viewer, entity.base())
    groups = definition.get("group_by") or []
    keyed = {i for i, g in enumerate(groups) if ":" not in str(g) and (f := entity.field(str(g))) and f.key}
    names = [str(g) for i, g in enumerate(groups) if i not in keyed]
    names = [n.partition(":")[0] for n in names]
    names += [flt["field"] for flt in definition.get("filters") or []]
    names += [m.get("field") or "" for m in definition.get("measures") or []]
    used = [f for f in entity.fields if f.name in names]
    if not groups and not definition.get("measures"):
        used = list(entity.fields)  # the plain listing shows every field
    stmt = entity.joined(stmt, used)
    for flt in definition.get("filters") or []:
        field = entity.field(flt["field"])
        assert field is not None  # checked above
        stmt = stmt.where(_condition(field, flt["op"], _typed_value(field, str(flt["value"]).strip())))
    columns, exprs = [], []
    for spec in groups:
        name, _, bucket = str(spec).partition(":")
        field = entity.field(name)
        assert field is not None
        exprs.append(_bucket(session, field.column, bucket, field) if bucket else field.column)
        columns.append(
            Column(
                f"{field.label} ({BUCKETS[bucket]})" if bucket else field.label,
                "text" if bucket else field.type,
            )
        )
    measures = definition.get("measures") or ([{"fn": "count"}] if groups else [])
    if not groups and not measures:
        listed = [f for f in entity.fields]
        stmt = stmt.with_only_columns(*(f.column for f in listed)).order_by(*(f.column for f in listed[:1]))
        rows = [list(r) for r in session.execute(stmt.limit(ROW_LIMIT + 1))]
        return ReportResult(
            [Column(f.label, f.type) for f in listed], rows[:ROW_LIMIT], len(rows) > ROW_LIMIT
        )
    for m in measures:
        field = entity.field(m.get("field") or "")
        if m["fn"] == "count":
            exprs.append(func.count())
            columns.append(Column("Количество", "int"))
            continue
        assert field is not None
        exprs.append(getattr(func, m["fn"])(field.column))
        columns.append(
            Column(
                f"{MEASURES[m['fn']]}: {field.label}",
                "number" if m["fn"] == "avg" and field.type != "money" else field.type,
            )
        )
    if code == "deals" and answerable(definition):  # from the kept totals (``custom_totals``)
        return _result(columns, total_rows(session, viewer, definition))
    if keyed:
        stmt = _grouped_by_keys(entity, groups, keyed, stmt, exprs)
    else:
        stmt = stmt.with_only_columns(*exprs)
        if groups:
            keys = exprs[: len(groups)]
            stmt = stmt.group_by(*keys).order_by(*keys)
    return _result(columns, [list(r) for r in session.execute(stmt.limit(ROW_LIMIT + 1))])


def _result(columns: list[Column], rows: list[list[Any]]) -> ReportResult:
    """Money as ``Decimal`` kopecks-exact, the rows cut at ``ROW_LIMIT``."""
    for row in rows:
        for i, column in enumerate(columns):
            if column.type == "money" and row[i] is not None:
                row[i] = Decimal(str(row[i])).quantize(Decimal("0.01"))
    return ReportResult(columns, rows[:ROW_LIMIT], len(rows) > ROW_LIMIT)
