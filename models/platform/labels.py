"""Names of the business objects work is linked to (client, deal, lead, document, …).

Tasks, process instances and comments refer to an object by ``(business_type,
business_id)``. Screens that list them ask here for readable labels, every type in one
statement (``models.platform.one_trip``): an inbox page naming clients, leads, contracts and
deals made four round trips of it before. Each domain package declares
how to name its objects (``Registry.labeler``) and which of its tables name objects
(``Registry.reference``), so merging clients re-points them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam
from sqlalchemy.orm import Session

from models.platform.one_trip import Together, together
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
    known = tuple(sorted((t, labelers[t]) for t in wanted if t in labelers))
    rows = _statement(known).read(session, {f"ids_{t}": sorted(wanted[t]) for t, _ in known}) if known else {}
    named = {(business_type, business_id): labelers[business_type].label(business_id, *parts)
             for business_type, found in rows.items() for business_id, *parts in found}
    result: dict[tuple[str, int], str] = {}
    for business_type, ids in wanted.items():
        prefix = TYPE_NAMES.get(business_type, business_type)
        for business_id in ids:
            result[(business_type, business_id)] = named.get((business_type, business_id),
                                                             f"{prefix} №{business_id}")
    return result


@lru_cache(maxsize=128)
def _statement(members: tuple[tuple[str, Labeler], ...]) -> Together:
    """The labels of these types as one statement with a list parameter per type (``ids_<type>``),
    built once per set of types a page names: building it costs more than running it."""
    return together({t: labeler.rows(bindparam(f"ids_{t}", expanding=True)) for t, labeler in members})


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
