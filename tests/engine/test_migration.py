"""`crm process migrate`: compatible changes move running instances, incompatible ones are refused."""

from sqlalchemy import select

from engine.tables import HumanTask


def test_compatible_change_migrates_the_running_instance_which_finishes_on_the_new_version(harness):
    harness.deploy("features/migrate_v1.bpmn")
    instance = harness.start("migrate_demo")
    [task] = harness.open_tasks(instance.id)
    assert task.element_id == "review"
    assert [(r.version, r.status) for r in harness.deploy("features/migrate_v2.bpmn")] == [(2, "updated")]

    results = harness.engine().migrate_all("migrate_demo", None)
    harness.session.commit()
    assert [(r.instance_id, r.from_version, r.to_version, r.migrated, r.removed) for r in results] == [
        (instance.id, 1, 2, True, [])]
    assert "finish" in results[0].changed
    harness.session.refresh(instance)
    assert instance.definition.version == 2
    [same] = harness.open_tasks(instance.id)
    assert (same.id, same.task_uuid) == (task.id, task.task_uuid)  # the inbox row survives
    migrated = [e for e in harness.events(instance.id) if e[0] == "migrated"]
    assert migrated == [("migrated", None)]

    harness.complete(same, {})
    assert instance.status == "completed"
    data = harness.data(instance)
    assert (data["result"], data["notified"], data["prepared"]) == ("v2", True, True)
    events = harness.events(instance.id)
    assert events.index(("task_completed", "notify")) < events.index(("task_completed", "finish"))
    assert harness.engine().migrate_all("migrate_demo", None) == []


def test_removing_the_element_an_instance_waits_on_is_refused_and_it_stays(harness, session):
    harness.deploy("features/migrate_v1.bpmn")
    instance = harness.start("migrate_demo")
    harness.deploy("features/migrate_v3.bpmn")

    [result] = harness.engine().migrate_all(None, None)
    harness.session.commit()
    assert (result.instance_id, result.from_version, result.to_version, result.migrated) == (
        instance.id, 1, 2, False)
    assert result.removed == ["review"]
    assert result.as_dict()["removed"] == ["review"]
    harness.session.refresh(instance)
    assert instance.definition.version == 1
    assert "migrated" not in [kind for kind, _ in harness.events(instance.id)]

    [task] = harness.open_tasks(instance.id)
    harness.complete(task, {})
    assert instance.status == "completed"
    assert harness.data(instance)["result"] == "v1"
    newer = harness.start("migrate_demo")
    assert [t.element_id for t in harness.open_tasks(newer.id)] == ["approve"]
    rows = session.scalars(select(HumanTask.element_id).order_by(HumanTask.id)).all()
    assert rows == ["review", "approve"]
