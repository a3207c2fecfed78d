"""Acceptance 2 in Chromium: every shipped BPMN opened and saved by the editor deploys to the same
spec, with every extension element intact."""

from __future__ import annotations

import pytest
from lxml import etree
from playwright.sync_api import expect
from sqlalchemy import select

from engine.bundle import Bundle
from engine.tables import ProcessDefinition
from models.platform.settings import PROJECT_ROOT
from models.studio.tables import Deployment, ProcessDraft
from tests.browser import log_in
from tests.studio.browser import open_editor
from tests.studio.conftest import api

pytestmark = pytest.mark.browser
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
PROCESSES = ("lead_handling", "client_callback", "client_data_review", "discount_signoff")


def _extensions(xml: bytes) -> list[tuple]:
    """Every spiffworkflow element: where it is, its attributes and text, in document order."""
    root = etree.fromstring(xml)
    found = []
    for node in root.iter():
        if isinstance(node.tag, str) and node.tag.startswith(SPIFF):
            owner = node.getparent()
            while owner is not None and not owner.get("id"):
                owner = owner.getparent()
            found.append(
                (
                    owner.get("id") if owner is not None else None,
                    node.tag,
                    dict(node.attrib),
                    (node.text or "").strip(),
                )
            )
    return found


def _spec(world, file: str, content: bytes) -> str:
    diagrams = {p.name: p.read_bytes() for p in (PROJECT_ROOT / "processes").glob("*.dmn")}
    diagrams[file] = content
    forms = {p.name: p.read_bytes() for p in (PROJECT_ROOT / "forms").glob("*.json")}
    [parsed] = [p for p in world.engine().parse(Bundle(diagrams, forms)) if p.source_file == file]
    return parsed.spec_json


def test_every_shipped_process_survives_the_editor(world, page, shots, session, as_user):
    log_in(page, "analyst")
    for key in PROCESSES:
        open_editor(page, key)
        page.locator("#save-draft").click()
        expect(page.locator("#studio-status")).to_contain_text("Черновик сохранён")
        page.screenshot(path=str(shots / f"studio-roundtrip-{key}.png"))
        session.expire_all()
        draft = session.scalar(select(ProcessDraft).where(ProcessDraft.process_key == key))
        original = (PROJECT_ROOT / "processes" / f"{key}.bpmn").read_bytes()
        saved = draft.bpmn_xml.encode("utf-8")
        assert saved != original  # bpmn-js wrote it anew …
        assert _extensions(saved) == _extensions(original)  # … keeping every extension element
        assert _spec(world, f"{key}.bpmn", saved) == _spec(world, f"{key}.bpmn", original)
    assert page.js_errors == []
    analyst = as_user("analyst")
    for key in PROCESSES:
        answer = api(
            analyst, "POST", f"/studio/api/processes/{key}/deploy", {"comment": "Сохранено редактором"}
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)
        assert answer.get_json()["status"] == "unchanged"
    session.expire_all()
    versions = select(ProcessDefinition.version).where(ProcessDefinition.key.in_(PROCESSES))
    assert sorted(session.scalars(versions)) == [1] * len(PROCESSES)
    assert [d.status for d in session.scalars(select(Deployment))] == ["unchanged"] * len(PROCESSES)
