"""Messages by name and correlation key; message start events; unmatched messages reported."""

from sqlalchemy import select

from engine.tables import ProcessMessage


def test_message_reaches_only_the_instance_with_the_matching_key(harness, session):
    harness.deploy("message_wait.bpmn")
    first = harness.start("message_wait", business_type="deal", business_id=1)
    second = harness.start("message_wait", business_type="deal", business_id=2)
    assert first.status == "waiting"
    result = harness.engine().send_message("payment_received", {"deal_id": 2},
                          {"amount": "150000.50"}, None)
    session.commit()
    assert result.status == "delivered" and result.instance_ids == [second.id]
    session.refresh(first)
    session.refresh(second)
    assert first.status == "waiting" and second.status == "completed"
    assert str(harness.data(second)["paid_amount"]) == "150000.50"
    assert ("message_received", None) in harness.events(second.id)


def test_unmatched_message_is_stored_and_reported(harness, session):
    harness.deploy("message_wait.bpmn")
    harness.start("message_wait", business_type="deal", business_id=1)
    result = harness.engine().send_message("payment_received", {"deal_id": 99}, {"amount": "1"}, None)
    session.commit()
    assert result.status == "unmatched" and result.instance_ids == []
    row = session.scalars(select(ProcessMessage)).one()
    assert (row.status, row.name, row.correlation) == ("unmatched", "payment_received", {"deal_id": 99})


def test_message_start_event_starts_a_new_instance_with_the_payload(harness, session):
    harness.deploy("message_start.bpmn")
    result = harness.engine().send_message("lead_created", {}, {"name": "ООО «Ромашка»"}, None)
    session.commit()
    assert result.status == "started"
    [task] = harness.open_tasks(result.instance_ids[0])
    assert task.title == "Разобрать лид"
