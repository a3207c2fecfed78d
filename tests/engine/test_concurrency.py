"""Two people completing the same task at once: one wins, the other gets a conflict."""

import threading

from sqlalchemy import func, select

from engine.errors import ConflictError
from engine.tables import HumanTask, ProcessEvent


def test_two_threads_completing_one_task_exactly_one_succeeds(harness, demo_users):
    harness.deploy("simple_user_task.bpmn")
    instance = harness.start("simple_user_task", {"company": "Ромашка"})
    [task] = harness.open_tasks(instance.id)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def work(login: str, outcome: str) -> None:
        with harness.factory() as session:
            engine = harness.engine(session)
            row = session.get(HumanTask, task.id)
            session.refresh(row.instance)  # both read the same version before racing
            barrier.wait()
            try:
                engine.complete_task(row.id, {"outcome": outcome}, demo_users[login].id)
                session.commit()
                outcomes[login] = "ok"
            except ConflictError as exc:
                session.rollback()
                outcomes[login] = "conflict: " + exc.message

    threads = [threading.Thread(target=work, args=("manager", "qualified")),
               threading.Thread(target=work, args=("manager2", "rejected"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(v.split(":")[0] for v in outcomes.values()) == ["conflict", "ok"]
    winner = next(login for login, v in outcomes.items() if v == "ok")
    harness.session.expire_all()
    row = harness.session.get(HumanTask, task.id)
    assert row.status == "completed" and row.completed_by_id == demo_users[winner].id
    expected = "won" if winner == "manager" else "lost"
    assert (("task_completed", expected)) in harness.events(instance.id)
    completions = harness.session.scalar(select(func.count()).where(
        ProcessEvent.instance_id == instance.id, ProcessEvent.kind == "user_task_completed"))
    assert completions == 1
    # The instance is intact: it loads and is completed exactly once.
    harness.session.refresh(instance)
    assert instance.status == "completed"
    assert harness.engine().load(instance).is_completed()
