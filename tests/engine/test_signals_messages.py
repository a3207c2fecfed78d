"""Signals to every listener; messages between instances, correlated by business key."""

from sqlalchemy import select

from engine.tables import ProcessMessage, Subscription


def test_broadcast_signal_reaches_every_waiting_instance(harness):
    harness.deploy("features/signal_wait.bpmn")
    watchers = [harness.start("price_watch", business_type="deal", business_id=i) for i in (1, 2, 3)]
    assert {w.status for w in watchers} == {"waiting"}
    result = harness.engine().broadcast_signal("price_list_updated", {"version": "2026-02"}, None)
    harness.session.commit()
    assert (result.status, result.instance_ids) == ("delivered", [w.id for w in watchers])
    for watcher in watchers:
        harness.session.refresh(watcher)
        assert watcher.status == "completed"
        assert harness.data(watcher)["price_version"] == "2026-02"
        assert ("signal_received", None) in harness.events(watcher.id)
    row = harness.session.get(ProcessMessage, result.message_id)
    assert (row.kind, row.status, row.instance_ids) == ("signal", "delivered", [w.id for w in watchers])
    assert harness.session.scalars(select(Subscription)).all() == []

    again = harness.engine().broadcast_signal("price_list_updated", {"version": "2026-03"}, None)
    harness.session.commit()
    assert (again.status, again.instance_ids) == ("unmatched", [])


def test_signal_thrown_by_a_process_reaches_the_waiting_instances(harness):
    harness.deploy("features/signal_wait.bpmn")
    watchers = [harness.start("price_watch") for _ in range(2)]
    publisher = harness.start("price_publisher", {"version": "v7"})
    assert publisher.status == "completed"
    for watcher in watchers:
        harness.session.refresh(watcher)
        assert watcher.status == "completed"
        assert harness.data(watcher)["price_version"] == "v7"
    row = harness.session.scalars(select(ProcessMessage)).one()
    assert (row.kind, row.name, row.status) == ("signal", "price_list_updated", "delivered")
    assert sorted(row.instance_ids) == sorted(w.id for w in watchers)


def test_thrown_message_reaches_only_the_instance_of_the_same_deal(harness):
    harness.deploy("features/message_throw.bpmn")
    receivers = {n: harness.start("docs_receiver", business_type="deal", business_id=n) for n in (1, 2)}
    sender = harness.start("docs_sender", business_type="deal", business_id=2)
    harness.complete(harness.open_tasks(sender.id)[0], {"docs": ["устав", "договор"]})
    assert sender.status == "completed"
    for receiver in receivers.values():
        harness.session.refresh(receiver)
    assert receivers[1].status == "waiting"
    assert harness.open_tasks(receivers[1].id) == []
    [task] = harness.open_tasks(receivers[2].id)
    assert (task.element_id, task.candidate_role, task.business_id) == ("check_docs", "lawyer", 2)
    assert harness.data(receivers[2])["incoming"] == {"docs": ["устав", "договор"],
                                                      "from_instance": sender.id}
    assert ("event_caught", "docs_arrived") in harness.events(receivers[2].id)
    row = harness.session.scalars(select(ProcessMessage)).one()
    assert (row.name, row.status, row.correlation, row.instance_ids) == (
        "docs_ready", "delivered", {"deal_id": 2}, [receivers[2].id])

    direct = harness.engine().send_message("docs_ready", {"deal_id": 1}, {"docs": ["счёт"]}, None)
    harness.session.commit()
    assert (direct.status, direct.instance_ids) == ("delivered", [receivers[1].id])
    assert harness.data(receivers[1])["incoming"] == {"docs": ["счёт"]}


def test_message_nobody_waits_for_is_stored_as_unmatched(harness):
    harness.deploy("features/message_throw.bpmn")
    harness.start("docs_receiver", business_type="deal", business_id=1)
    result = harness.engine().send_message("docs_ready", {"deal_id": 99}, {"docs": []}, None)
    harness.session.commit()
    assert (result.status, result.instance_ids) == ("unmatched", [])
    row = harness.session.get(ProcessMessage, result.message_id)
    assert (row.status, row.correlation, row.payload) == ("unmatched", {"deal_id": 99}, {"docs": []})
    assert result.as_dict() == {"status": "unmatched", "instance_ids": [], "message_id": row.id}

    sender = harness.start("docs_sender", business_type="deal", business_id=5)
    harness.complete(harness.open_tasks(sender.id)[0], {"docs": ["акт"]})
    thrown = harness.session.scalars(select(ProcessMessage).where(ProcessMessage.id != row.id)).one()
    assert (thrown.status, thrown.correlation) == ("unmatched", {"deal_id": 5})


def test_send_message_reaches_only_the_instance_with_the_matching_business_key(harness):
    harness.deploy("features/message_throw.bpmn")
    receivers = [harness.start("docs_receiver", business_type="deal", business_id=n) for n in (10, 11, 12)]
    result = harness.engine().send_message("docs_ready", {"deal_id": 11}, {"docs": ["акт"]}, None)
    harness.session.commit()
    assert (result.status, result.instance_ids) == ("delivered", [receivers[1].id])
    opened = {r.id: [t.element_id for t in harness.open_tasks(r.id)] for r in receivers}
    assert opened == {receivers[0].id: [], receivers[1].id: ["check_docs"], receivers[2].id: []}
    subscribed = harness.session.scalars(select(Subscription.instance_id).where(
        Subscription.name == "docs_ready").order_by(Subscription.instance_id)).all()
    assert subscribed == [receivers[0].id, receivers[2].id]


def test_message_nobody_waits_for_starts_a_process_with_that_message_start_event(harness):
    harness.deploy("message_start.bpmn")
    result = harness.engine().send_message("lead_created", {"lead_id": 9}, {"company": "Ромашка"}, None)
    harness.session.commit()
    assert result.status == "started"
    [instance_id] = result.instance_ids
    [task] = harness.open_tasks(instance_id)
    assert task.element_id == "review"
    instance = harness.engine().instance(instance_id)
    assert instance.correlation == {"lead_id": 9}
    assert harness.data(instance)["lead"] == {"company": "Ромашка"}
    assert harness.session.get(ProcessMessage, result.message_id).instance_ids == [instance_id]
