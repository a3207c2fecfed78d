"""Drafts: each analyst's working copy of a process, kept on the server until deployed or dropped.

Opening a process gives the analyst's draft if there is one, else the latest deployed
version (the files its last studio deploy stored, else the deployed BPMN), else — for a
new key — a blank diagram. A draft holds the BPMN and whatever DMN tables and forms were
changed with it; ``bundle`` makes the deploy bundle from it: the draft's files over the
process folder's DMN tables, and the forms the diagram names from the draft, else as
stored with the latest version, else from the forms folder.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.api import ProcessEngine
from engine.bundle import Bundle, form_name_problem, referenced_forms
from engine.checks import entity_uses
from engine.xml_safety import UnsafeXml, parse_xml
from models.identity.users import User
from models.platform.permissions import Permission, require
from models.platform.settings import Settings
from models.studio.catalog import dmn_files
from models.studio.errors import StudioError
from models.studio.tables import Deployment, ProcessDraft

KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
MAX_XML = 2 * 1024 * 1024

BLANK = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" \
xmlns:di="http://www.omg.org/spec/DD/20100524/DI" \
xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="{key}_defs" \
targetNamespace="http://crm.local/processes">
  <bpmn:process id="{key}" name="{name}" isExecutable="true">
    <bpmn:startEvent id="start" name="Начало" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="{key}_diagram">
    <bpmndi:BPMNPlane id="{key}_plane" bpmnElement="{key}">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="180" y="160" width="36" height="36" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


@dataclass
class Source:
    """What the editor opens: the BPMN, its file name, the version it is based on, the draft's time."""

    key: str
    xml: str
    file: str
    version: int | None
    draft_saved_at: datetime | None


def find_draft(session: Session, user: User, key: str) -> ProcessDraft | None:
    return session.scalar(
        select(ProcessDraft).where(ProcessDraft.user_id == user.id, ProcessDraft.process_key == key)
    )


def last_deployment(session: Session, key: str) -> Deployment | None:
    return session.scalar(
        select(Deployment).where(Deployment.process_key == key).order_by(Deployment.id.desc()).limit(1)
    )


def deployed_source(session: Session, engine: ProcessEngine, key: str) -> Source | None:
    """The latest deployed version's BPMN (as the studio deployed it, when it did), or None."""
    latest = engine.latest_definition(key)
    if latest is None:
        return None
    definition = engine.definition(key, latest.version)
    xml = definition.source_xml
    deployment = last_deployment(session, key)
    if deployment is not None and deployment.version == definition.version:
        xml = deployment.diagrams.get(definition.source_file, xml)
    return Source(key, xml, definition.source_file, definition.version, None)


def open_source(session: Session, engine: ProcessEngine, user: User, key: str) -> Source:
    """The analyst's draft of ``key``, else the deployed version; ``StudioError`` 404 if neither."""
    require(user, Permission.EDIT_PROCESSES)
    draft = find_draft(session, user, key)
    if draft is not None:
        return Source(key, draft.bpmn_xml, draft.source_file, draft.base_version, draft.updated_at)
    found = deployed_source(session, engine, key)
    if found is None:
        raise StudioError(f"Процесс «{key}» не развёрнут и черновика нет", status=404)
    return found


def check_xml(xml: str) -> None:
    """Refuse XML that is not UTF-8 text, too large, unsafe (naming where the entity is used) or broken."""
    if len(xml.encode("utf-8")) > MAX_XML:
        raise StudioError("Схема больше 2 МБ")
    content = xml.encode("utf-8")
    try:
        parse_xml(content)
    except UnsafeXml as exc:
        uses = entity_uses(content)
        problems = [
            {
                "element": element,
                "message": f"{exc}; сущность «{entity}» подставляется сюда",
                "severity": "error",
                "source": "server",
            }
            for entity, element in uses
        ]
        where = ", ".join(f"«{p['element']}»" for p in problems if p["element"])
        raise StudioError(f"{exc}" + (f" (элементы {where})" if where else ""), problems=problems) from None
    except etree.XMLSyntaxError as exc:
        raise StudioError(f"XML повреждён: {exc.msg} (строка {exc.lineno})") from None


def _draft_for(session: Session, engine: ProcessEngine, user: User, key: str, now: datetime) -> ProcessDraft:
    draft = find_draft(session, user, key)
    if draft is not None:
        return draft
    found = deployed_source(session, engine, key)
    if found is None:
        raise StudioError(f"Процесс «{key}» не развёрнут; создайте его как новый", status=404)
    draft = ProcessDraft(
        user_id=user.id,
        process_key=key,
        source_file=found.file,
        bpmn_xml=found.xml,
        dmn={},
        forms={},
        base_version=found.version,
        created_at=now,
        updated_at=now,
    )
    session.add(draft)
    return draft


def save_draft(
    session: Session, engine: ProcessEngine, user: User, key: str, xml: str, now: datetime
) -> ProcessDraft:
    """Keep the analyst's current BPMN of ``key`` (unsafe or broken XML is refused)."""
    require(user, Permission.EDIT_PROCESSES)
    check_xml(xml)
    draft = _draft_for(session, engine, user, key, now)
    draft.bpmn_xml = xml
    draft.updated_at = now
    session.flush()
    return draft


def new_process(
    session: Session, engine: ProcessEngine, user: User, key: str, name: str, now: datetime
) -> ProcessDraft:
    """A draft of a new process ``key`` with a start event."""
    require(user, Permission.EDIT_PROCESSES)
    key, name = (key or "").strip(), (name or "").strip()
    if not KEY_RE.match(key):
        raise StudioError("Ключ процесса: латиница, цифры и «_», начинается с буквы, до 100 знаков")
    if not name:
        raise StudioError("Укажите название процесса")
    if engine.latest_definition(key) is not None or find_draft(session, user, key) is not None:
        raise StudioError(f"Процесс «{key}» уже есть: откройте его", status=409)
    safe_name = name.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    draft = ProcessDraft(
        user_id=user.id,
        process_key=key,
        source_file=f"{key}.bpmn",
        bpmn_xml=BLANK.format(key=key, name=safe_name),
        dmn={},
        forms={},
        base_version=None,
        created_at=now,
        updated_at=now,
    )
    session.add(draft)
    session.flush()
    return draft


def discard_draft(session: Session, user: User, key: str) -> bool:
    require(user, Permission.EDIT_PROCESSES)
    draft = find_draft(session, user, key)
    if draft is None:
        return False
    session.delete(draft)
    session.flush()
    return True


def save_form(
    session: Session,
    engine: ProcessEngine,
    user: User,
    key: str,
    name: str,
    schema_text: str,
    ui_text: str,
    now: datetime,
) -> list[str]:
    """Keep a form (schema and UI hints) in the draft of ``key``; returns the names saved.

    Refused (``StudioError`` with every problem): a bad name, text that is not JSON, a schema
    that is not a JSON Schema, an enum without Russian labels (``enumNames`` or ``ui:labels``).
    """
    from models.studio.forms import form_texts_problems

    require(user, Permission.EDIT_PROCESSES)
    if not name.endswith(".schema.json") or form_name_problem(name):
        raise StudioError("Имя формы: «что-то.schema.json» внутри каталога форм")
    schema, ui, problems = form_texts_problems(schema_text, ui_text)
    if problems:
        raise StudioError(
            "Форма не сохранена: " + "; ".join(problems),
            problems=[{"element": None, "message": p} for p in problems],
        )
    draft = _draft_for(session, engine, user, key, now)
    forms = dict(draft.forms or {})
    forms[name] = schema
    saved = [name]
    ui_name = name.replace(".schema.json", ".ui.json")
    if ui:
        forms[ui_name] = ui
        saved.append(ui_name)
    draft.forms = forms
    draft.updated_at = now
    session.flush()
    return saved


def save_dmn(
    session: Session, engine: ProcessEngine, user: User, key: str, file: str, xml: str, now: datetime
) -> None:
    """Keep a changed DMN table in the draft of ``key`` (deployed with it)."""
    require(user, Permission.EDIT_PROCESSES)
    if not file.endswith(".dmn") or "/" in file or "\\" in file or file.startswith("."):
        raise StudioError("Имя файла таблицы решений: «что-то.dmn»")
    check_xml(xml)
    draft = _draft_for(session, engine, user, key, now)
    draft.dmn = {**(draft.dmn or {}), file: xml}
    draft.updated_at = now
    session.flush()


def _stored_forms(engine: ProcessEngine, key: str) -> dict[str, Any]:
    latest = engine.latest_definition(key)
    return engine.definition_forms(latest) if latest is not None else {}


def known_form(
    engine: ProcessEngine, settings: Settings, draft: ProcessDraft | None, key: str, name: str
) -> Any | None:
    """A form as the draft has it, else as stored with the latest version, else in the forms folder."""
    if draft is not None and name in (draft.forms or {}):
        return draft.forms[name]
    stored = _stored_forms(engine, key)
    if name in stored:
        return stored[name]
    path = Path(settings.forms_dir) / name
    if not form_name_problem(name) and path.is_file():
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None
    return None


def bundle(
    session: Session, engine: ProcessEngine, settings: Settings, user: User, key: str, xml: str | None = None
) -> Bundle:
    """The deploy bundle of the analyst's draft of ``key`` (``xml`` instead of the draft's BPMN)."""
    draft = find_draft(session, user, key)
    if draft is None and xml is None:
        raise StudioError(f"Черновика процесса «{key}» нет: изменений для развёртывания нет", status=404)
    source_file = draft.source_file if draft is not None else deployed_file(engine, key)
    text = xml if xml is not None else draft.bpmn_xml  # type: ignore[union-attr]
    deployed = last_deployment(session, key)
    changed = {n: x for n, x in (deployed.diagrams if deployed else {}).items() if n.endswith(".dmn")}
    changed.update(draft.dmn if draft else {})
    diagrams: dict[str, bytes] = dict(dmn_files(Path(settings.processes_dir), changed))
    diagrams[source_file] = text.encode("utf-8")
    forms: dict[str, bytes] = {}
    for name in sorted(referenced_forms([diagrams[source_file]])):
        content = known_form(engine, settings, draft, key, name)
        if content is not None:
            forms[name] = json.dumps(content, ensure_ascii=False).encode("utf-8")
    return Bundle(diagrams=diagrams, forms=forms, forms_origin="черновике, версии и каталоге форм")


def deployed_file(engine: ProcessEngine, key: str) -> str:
    latest = engine.latest_definition(key)
    return latest.source_file if latest is not None else f"{key}.bpmn"
