"""What the editor's side pages read: the catalog, the DMN files of a draft, a decision's file.

One call per page or endpoint, with the analyst's right checked, so the views only parse and render.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from engine.api import ProcessEngine
from models.identity.users import User
from models.platform.permissions import Permission, require
from models.platform.settings import Settings
from models.studio.catalog import Catalog, decisions, dmn_files, form_names, operations
from models.studio.drafts import find_draft, known_form
from models.studio.errors import StudioError


def catalog_for(session: Session, engine: ProcessEngine, settings: Settings, user: User, key: str) -> Catalog:
    """What the properties panel offers for ``key``: operations, forms, decisions, roles, departments."""
    require(user, Permission.EDIT_PROCESSES)
    draft = find_draft(session, user, key)
    return Catalog(
        operations=operations(engine.operations),
        forms=form_names(Path(settings.forms_dir), draft.forms if draft else None),
        decisions=decisions(dmn_files(Path(settings.processes_dir), draft.dmn if draft else None)),
    )


def draft_dmn_files(session: Session, settings: Settings, user: User, key: str) -> dict[str, bytes]:
    """The DMN files as the analyst's draft of ``key`` sees them."""
    require(user, Permission.EDIT_PROCESSES)
    draft = find_draft(session, user, key)
    return dmn_files(Path(settings.processes_dir), draft.dmn if draft else None)


def decision(session: Session, settings: Settings, user: User, key: str, decision_id: str) -> dict:
    """The decision ``decision_id`` (id, name, file) among the draft's DMN files; ``StudioError`` 404."""
    found = next(
        (d for d in decisions(draft_dmn_files(session, settings, user, key)) if d["id"] == decision_id), None
    )
    if found is None:
        raise StudioError(f"Таблица решений «{decision_id}» не найдена", status=404)
    return found


def dmn_source(session: Session, settings: Settings, user: User, key: str, file: str) -> str:
    """The XML of DMN file ``file`` as the draft has it; ``StudioError`` 404 when there is none."""
    files = draft_dmn_files(session, settings, user, key)
    if file not in files:
        raise StudioError(f"Файла «{file}» нет", status=404)
    return files[file].decode("utf-8")


def form_texts(
    session: Session, engine: ProcessEngine, settings: Settings, user: User, key: str, name: str
) -> tuple[dict, dict]:
    """(schema, UI hints) of form ``name`` as the draft of ``key`` has it (an empty form for a new one)."""
    require(user, Permission.EDIT_PROCESSES)
    draft = find_draft(session, user, key)
    schema = known_form(engine, settings, draft, key, name) or {"type": "object", "properties": {}}
    ui = known_form(engine, settings, draft, key, name.replace(".schema.json", ".ui.json")) or {}
    return schema, ui
