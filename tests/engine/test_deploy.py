"""Deploying: versions only on change, refusals naming file and element, nothing half-stored."""

import shutil

import pytest
from sqlalchemy import func, select

from engine.errors import DeployError
from engine.tables import ProcessDefinition
from tests.engine.conftest import BPMN


def _count(session):
    return session.scalar(select(func.count(ProcessDefinition.id)))


def test_deploying_twice_stores_one_version_and_a_change_stores_another(harness, session, tmp_path):
    first = harness.deploy("simple_user_task.bpmn")
    assert [(r.key, r.version, r.status) for r in first] == [("simple_user_task", 1, "new")]
    again = harness.deploy("simple_user_task.bpmn")
    assert [(r.version, r.status) for r in again] == [(1, "unchanged")]
    assert _count(session) == 1

    changed = tmp_path / "simple_user_task.bpmn"
    changed.write_text((BPMN / "simple_user_task.bpmn").read_text().replace(
        "score = len(company) * 2", "score = len(company) * 3"))
    result = harness.deploy_paths([changed])
    session.commit()
    assert [(r.version, r.status) for r in result] == [(2, "updated")]
    assert _count(session) == 2


def test_instance_started_on_version_1_finishes_on_version_1(harness, session, tmp_path):
    harness.deploy("simple_user_task.bpmn")
    instance = harness.start("simple_user_task", {"company": "Ромашка"})
    changed = tmp_path / "simple_user_task.bpmn"
    changed.write_text((BPMN / "simple_user_task.bpmn").read_text().replace(
        "score = len(company) * 2", "score = len(company) * 100"))
    harness.deploy_paths([changed])
    session.commit()
    harness.complete(harness.open_tasks(instance.id)[0], {"outcome": "qualified"})
    session.refresh(instance)
    assert instance.status == "completed"
    assert instance.definition.version == 1
    assert harness.data(instance)["score"] == 14  # computed by version 1's script
    newer = harness.start("simple_user_task", {"company": "Ромашка"})
    assert newer.definition.version == 2


@pytest.mark.parametrize("file, element, words", [
    ("unknown_operation.bpmn", "call_nowhere", "операция «nowhere.call» не зарегистрирована"),
    ("missing_form.bpmn", "fill_form", "no-such-form.schema.json"),
    ("script_import.bpmn", "evil_script", "импорт модулей запрещён"),
    ("dunder_script.bpmn", "escape", "служебным именам"),
    ("xxe.bpmn", None, "DOCTYPE"),
])
def test_bad_files_are_refused_naming_file_and_element(harness, session, file, element, words):
    with pytest.raises(DeployError) as caught:
        harness.deploy_paths([BPMN / "bad" / file])
    error = caught.value
    assert error.file == file
    assert error.element == element
    assert words in error.message
    assert file in error.message
    session.rollback()
    assert _count(session) == 0


def test_a_failed_file_stores_nothing_of_the_whole_deploy(harness, session, tmp_path):
    shutil.copy(BPMN / "simple_user_task.bpmn", tmp_path)
    shutil.copy(BPMN / "bad" / "script_import.bpmn", tmp_path)
    with pytest.raises(DeployError):
        harness.deploy_paths([tmp_path])
    session.rollback()
    assert _count(session) == 0


def test_broken_xml_and_missing_paths_are_clear_errors(harness, session, tmp_path):
    broken = tmp_path / "broken.bpmn"
    broken.write_text("<bpmn:definitions")
    with pytest.raises(DeployError, match=r"broken\.bpmn: XML повреждён"):
        harness.deploy_paths([broken])
    with pytest.raises(DeployError, match="не найден"):
        harness.deploy_paths([tmp_path / "nope.bpmn"])


def test_the_spec_is_stored_once_per_version_not_per_instance(harness, session):
    harness.deploy("simple_user_task.bpmn")
    definition = session.scalars(select(ProcessDefinition)).one()
    instance = harness.start("simple_user_task", {"company": "Ромашка"})
    assert '"task_specs"' in definition.spec_json
    assert "task_specs" not in instance.state_json
    assert len(instance.state_json) < len(definition.spec_json)


def test_a_kept_check_is_per_bundle_and_operations_and_hands_out_its_own_copies(app, session, clock):
    """``engine.kept_checks`` keeps a checked bundle's parse: the same bytes against fewer
    operations are checked again (and refused), and each deploy gets dictionaries of its own."""
    from engine import definitions
    from engine.bundle import Bundle
    from engine.kept_checks import checked_bundle
    from models.platform.settings import PROJECT_ROOT

    root = PROJECT_ROOT
    bundle = Bundle.from_paths([root / "processes"], root / "forms")
    operations = dict(app.extensions["crm.registry"].operations)
    first = checked_bundle(bundle, operations)
    second = checked_bundle(bundle, operations)
    assert [p.content_hash for p in first] == [p.content_hash for p in second]
    assert first[0].meta == second[0].meta and first[0].meta is not second[0].meta
    assert first[0].forms == second[0].forms and first[0].forms is not second[0].forms
    fewer = {name: op for name, op in operations.items() if name != "leads.assign"}
    with pytest.raises(DeployError, match=r"leads\.assign"):
        definitions.deploy(session, bundle, fewer, clock)
    assert _count(session) == 0
