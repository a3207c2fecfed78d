"""Forms are stored with the definition version: running instances keep the forms they started with.

A deploy bundle carries the forms its diagrams reference; a changed form makes a new
version; validation and ``task_form`` read the instance's version, never ``forms/``.
Versions deployed before forms were stored (migration 0006) still read ``forms/``.
"""

from __future__ import annotations

import json
import shutil

import pytest
from sqlalchemy import func, select

from engine.bundle import Bundle
from engine.errors import DeployError, FormValidationError
from engine.tables import ProcessDefinition, ProcessForm
from tests.engine.conftest import BPMN, FORMS, make_legacy_version

CONTACT = json.loads((FORMS / "contact.schema.json").read_text(encoding="utf-8"))


@pytest.fixture
def settings_overrides(tmp_path) -> dict:
    """The app's ``forms/`` is an empty folder: whatever a version shows must come from the database."""
    empty = tmp_path / "app-forms"
    empty.mkdir()
    return {"forms_dir": empty}


def _stricter(schema: dict) -> dict:
    """The contact form with a comment now required (the old submissions lack it)."""
    changed = json.loads(json.dumps(schema))
    changed["required"] = [*schema["required"], "comment"]
    changed["properties"]["comment"]["title"] = "Комментарий (обязательно)"
    return changed


def _count(session, model) -> int:
    return session.scalar(select(func.count(model.id)))


def test_a_changed_form_makes_a_new_version_and_old_instances_keep_the_old_form(harness, session, tmp_path):
    forms = tmp_path / "forms"
    shutil.copytree(FORMS, forms)
    diagram = [BPMN / "simple_user_task.bpmn"]
    harness.deploy_paths(diagram, forms)
    session.commit()
    old = harness.start("simple_user_task", {"company": "Ромашка"})

    (forms / "contact.schema.json").write_text(json.dumps(_stricter(CONTACT), ensure_ascii=False),
                                               encoding="utf-8")
    result = harness.deploy_paths(diagram, forms)
    session.commit()
    assert [(r.key, r.version, r.status) for r in result] == [("simple_user_task", 2, "updated")]
    assert [(r.version, r.status) for r in harness.deploy_paths(diagram, forms)] == [(2, "unchanged")]
    new = harness.start("simple_user_task", {"company": "Ромашка"})
    assert (old.definition.version, new.definition.version) == (1, 2)

    [old_task] = harness.open_tasks(old.id)
    [new_task] = harness.open_tasks(new.id)
    assert harness.engine().task_form(old_task)[0] == CONTACT
    assert harness.engine().task_form(new_task)[0]["required"] == ["outcome", "comment"]

    with pytest.raises(FormValidationError) as caught:
        harness.engine().complete_task(new_task.id, {"outcome": "qualified"}, None)
    assert caught.value.errors == {"comment": ["Обязательное поле"]}
    session.rollback()
    harness.complete(old_task, {"outcome": "qualified"})  # valid under v1's form, invalid under v2's
    session.refresh(old)
    assert old.status == "completed"


def test_a_bundle_of_bytes_deploys_without_files_and_stores_its_forms(harness, session):
    schema = {"type": "object", "required": ["answer"],
              "properties": {"answer": {"type": "string", "title": "Ответ", "enum": ["yes", "no"],
                                        "enumNames": ["Да", "Нет"]}}}
    ui = {"ui:order": ["answer"], "ui:labels": {"answer": {"yes": "Да", "no": "Нет"}}}
    diagram = (BPMN / "simple_user_task.bpmn").read_bytes().replace(
        b'value="contact.schema.json" />',
        b'value="studio/answer.schema.json" />'
        b'<spiffworkflow:property name="formUiSchemaFilename" value="studio/answer.ui.json" />')
    bundle = Bundle(diagrams={"from_studio.bpmn": diagram},
                    forms={"studio/answer.schema.json": json.dumps(schema).encode(),
                           "studio/answer.ui.json": json.dumps(ui).encode(),
                           "studio/unused.schema.json": b"{}"})

    [result] = harness.engine().deploy(bundle)
    session.commit()

    assert (result.key, result.version, result.file) == ("simple_user_task", 1, "from_studio.bpmn")
    definition = session.scalars(select(ProcessDefinition)).one()
    stored = dict(session.execute(select(ProcessForm.name, ProcessForm.content)
                                  .where(ProcessForm.definition_id == definition.id)).all())
    assert stored == {"studio/answer.schema.json": schema, "studio/answer.ui.json": ui}
    instance = harness.start("simple_user_task", {"company": "Ромашка"})
    [task] = harness.open_tasks(instance.id)
    assert harness.engine().task_form(task) == (schema, ui)
    with pytest.raises(FormValidationError):
        harness.engine().complete_task(task.id, {"answer": "maybe"}, None)
    session.rollback()
    harness.complete(task, {"answer": "yes", "outcome": "qualified"})  # the gateway reads «outcome»
    session.refresh(instance)
    assert instance.status == "completed"


@pytest.mark.parametrize("forms, words", [
    ({}, "файл формы «contact.schema.json» не найден"),
    ({"contact.schema.json": b"{not json"}, "не является JSON"),
    ({"contact.schema.json": b'{"type": 12}'}, "не является JSON Schema"),
])
def test_a_bundle_whose_form_is_missing_or_broken_is_refused(harness, session, forms, words):
    bundle = Bundle(diagrams={"simple_user_task.bpmn": (BPMN / "simple_user_task.bpmn").read_bytes()},
                    forms=forms)
    with pytest.raises(DeployError) as caught:
        harness.engine().deploy(bundle)
    assert (caught.value.file, caught.value.element) == ("simple_user_task.bpmn", "contact")
    assert words in caught.value.message
    session.rollback()
    assert _count(session, ProcessDefinition) == 0 and _count(session, ProcessForm) == 0


def test_a_form_name_may_not_leave_the_forms_folder(harness, session, tmp_path):
    secret = tmp_path / "secret.schema.json"
    secret.write_text('{"type": "object"}', encoding="utf-8")
    forms = tmp_path / "forms"
    forms.mkdir()
    diagram = tmp_path / "escape.bpmn"
    diagram.write_bytes((BPMN / "simple_user_task.bpmn").read_bytes().replace(
        b"contact.schema.json", b"../secret.schema.json"))
    with pytest.raises(DeployError) as caught:
        harness.deploy_paths([diagram], forms)
    assert caught.value.element == "contact" and "недопустимо" in caught.value.message
    session.rollback()
    assert _count(session, ProcessDefinition) == 0


def test_versions_deployed_before_forms_were_stored_still_read_forms_from_disk(app, harness, session):
    harness.deploy("simple_user_task.bpmn")
    make_legacy_version(session)
    legacy = _stricter(CONTACT)
    forms_dir = app.extensions["crm.settings"].forms_dir
    (forms_dir / "contact.schema.json").write_text(json.dumps(legacy), encoding="utf-8")

    instance = harness.start("simple_user_task", {"company": "Ромашка"})
    [task] = harness.open_tasks(instance.id)
    assert harness.engine().task_form(task)[0] == legacy
    with pytest.raises(FormValidationError) as caught:
        harness.engine().complete_task(task.id, {"outcome": "qualified"}, None)
    assert caught.value.errors == {"comment": ["Обязательное поле"]}
