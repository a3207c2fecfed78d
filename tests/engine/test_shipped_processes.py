"""The diagrams shipped in processes/ deploy and behave as documented."""

from datetime import timedelta

from engine.api import ProcessEngine
from engine.jobs import fire_due_timers
from models.clients.cards import Client
from models.platform.settings import PROJECT_ROOT

PROCESSES = PROJECT_ROOT / "processes"
FORMS = PROJECT_ROOT / "forms"


def _engine(harness) -> ProcessEngine:
    return harness.engine()


def test_every_shipped_process_deploys(harness):
    results = harness.deploy_paths([PROCESSES], FORMS)
    assert {r.key for r in results} >= {"client_data_review", "client_callback"}
    assert all(r.status == "new" for r in results)


def test_client_with_broken_inn_gets_a_back_office_task_with_reminder(harness, session, demo_users):
    harness.deploy_paths([PROCESSES], FORMS)
    good = Client(kind="company", full_name="ПАО Сбербанк", inn="7707083893", kpp="773601001",
                  ogrn="1027700132195", owner=demo_users["manager"])
    bad = Client(kind="company", full_name="ООО «Ошибка»", inn="7707083894", kpp="773601001",
                 ogrn="1027700132195", owner=demo_users["manager"])
    session.add_all([good, bad])
    session.commit()

    fine = _engine(harness).start("client_data_review", business_type="client", business_id=good.id)
    broken = _engine(harness).start("client_data_review", business_type="client", business_id=bad.id)
    session.commit()
    assert fine.status == "completed"
    [task] = harness.open_tasks(broken.id)
    assert task.candidate_role == "back_office"
    assert task.due_at == harness.clock.now() + timedelta(days=1)
    data = harness.data(broken)
    assert data["check"]["problems"] == ["Неверная контрольная цифра ИНН"]

    harness.clock.advance(timedelta(hours=4, minutes=1))
    fire_due_timers(harness.factory, harness.services)
    assert [t.id for t in harness.open_tasks(broken.id)] == [task.id]
    assert harness.events(broken.id).count(("timer_fired", "reminder")) == 1
    _engine(harness).complete_task(task.id, {"resolution": "fixed"}, demo_users["backoffice"].id)
    session.commit()
    session.refresh(broken)
    assert broken.status == "completed"
