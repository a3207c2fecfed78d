"""Names of the business objects work is linked to (client, deal, lead, document, …).

Tasks, process instances and comments refer to an object by ``(business_type,
business_id)``. Screens that list them ask here for readable labels, every type in one
statement (a UNION ALL of each type's SELECT, parts as text): an inbox page naming clients,
leads, contracts and deals made four round trips of it before. Each domain package declares
how to name its objects (``Registry.labeler``) and which of its tables name objects
(``Registry.reference``), so merging clients re-points them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import CursorResult, Select, String, literal, null, union_all
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from models.platform.registry import Labeler, installed

TYPE_NAMES = {"client": "Клиент", "deal": "Сделка", "lead": "Лид", "document": "Документ",
              "contract": "Договор"}


def labels(session: Session, refs: Iterable[tuple[str | None, int | None]]) -> dict[tuple[str, int], str]:
    """``(type, id) -> label`` for every reference; unknown objects get «Тип №id»."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for business_type, business_id in refs:
        if business_type and business_id is not None:
            wanted[business_type].add(business_id)
    labelers = installed().labelers
    members = {business_type: _member(business_type, labelers[business_type], ids)
               for business_type, ids in wanted.items() if business_type in labelers}
    named: dict[tuple[str, int], str] = {}
    if members:
        selects = [stmt for stmt, _ in members.values()]
        statement = selects[0] if len(selects) == 1 else union_all(*selects)
        for business_type, business_id, *parts in session.execute(statement):
            shape = members[business_type][1]
            named[(business_type, business_id)] = labelers[business_type].label(business_id, *parts[:shape])
    result: dict[tuple[str, int], str] = {}
    for business_type, ids in wanted.items():
        prefix = TYPE_NAMES.get(business_type, business_type)
        for business_id in ids:
            result[(business_type, business_id)] = named.get((business_type, business_id),
                                                             f"{prefix} №{business_id}")
    return result


PARTS = 3  # the most parts a label is made of (``Labeler``)


def _member(business_type: str, labeler: Labeler, ids: set[int]) -> tuple[Select, int]:
    """One type's SELECT in the shape every type shares — (type, id, part × PARTS), parts as text:
    a UNION ALL needs the same column types in every member, and PostgreSQL does not mix numbers
    with text — and how many of the parts are the type's own."""
    stmt = labeler.rows(ids)
    key, *parts = stmt.selected_columns
    if len(parts) > PARTS:
        raise ValueError(f"подпись «{business_type}» из {len(parts)} частей, не больше {PARTS}")
    texts = [sql_cast(part, String) for part in parts] + [sql_cast(null(), String)] * (PARTS - len(parts))
    return stmt.with_only_columns(literal(business_type, String), key, *texts,
                                  maintain_column_froms=True), len(parts)




def repoint(session: Session, business_type: str, old_id: int, new_id: int) -> int:
    """Move every named reference from ``business_type`` ``old_id`` to ``new_id``; rows moved."""
    from sqlalchemy import update

    moved = 0
    for model, type_column, id_column in installed().references:
        result = cast(CursorResult[Any], session.execute(
            update(model)
            .where(getattr(model, type_column) == business_type, getattr(model, id_column) == old_id)
            .values({id_column: new_id})
            .execution_options(synchronize_session="fetch")
        ))
        moved += result.rowcount or 0
    return moved
