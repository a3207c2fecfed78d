"""Timer start events driven by the scheduler job: a one-off date and a weekday cron cycle."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from engine.jobs import start_scheduled
from engine.tables import HumanTask, ProcessInstance, ProcessSchedule

MSK = ZoneInfo("Europe/Moscow")


def _run_hourly(harness, clock, until: datetime) -> list[datetime]:
    """Tick the scheduler every hour up to ``until``; the instants instances started at."""
    fired = []
    while clock.now() < until:
        clock.advance(timedelta(hours=1))
        count = start_scheduled(harness.factory, harness.services)
        fired.extend([clock.now()] * count)
    return fired


def _instances(harness, key):
    harness.session.expire_all()
    return list(harness.session.scalars(select(ProcessInstance).where(ProcessInstance.process_key == key)
                                        .order_by(ProcessInstance.id)))


def test_weekday_cron_starts_at_nine_moscow_time_and_skips_the_weekend(harness, clock):
    clock.set(datetime(2026, 1, 15, 10, 0, tzinfo=MSK))  # Thursday, after 09:00
    harness.deploy("features/timer_start_cron.bpmn")
    schedule = harness.session.scalars(select(ProcessSchedule)).one()
    assert schedule.next_fire_at == datetime(2026, 1, 16, 9, 0, tzinfo=MSK)

    fired = _run_hourly(harness, clock, datetime(2026, 1, 20, 12, 0, tzinfo=MSK))
    expected = [datetime(2026, 1, d, 9, 0, tzinfo=MSK) for d in (16, 19, 20)]  # Fri, Mon, Tue
    assert fired == expected
    assert [f.astimezone(MSK).strftime("%a %H:%M") for f in fired] == ["Fri 09:00", "Mon 09:00", "Tue 09:00"]
    instances = _instances(harness, "timer_start_cron")
    assert [i.started_at for i in instances] == expected
    assert [harness.data(i)["scheduled_at"] for i in instances] == [
        e.astimezone(UTC).isoformat() for e in expected]
    tasks = harness.session.scalars(select(HumanTask).order_by(HumanTask.id)).all()
    assert [(t.instance_id, t.element_id, t.candidate_role) for t in tasks] == [
        (i.id, "review_pipeline", "senior_manager") for i in instances]
    assert all(("timer_fired", "scheduled") in harness.events(i.id) for i in instances)
    harness.session.refresh(schedule)
    assert schedule.next_fire_at == datetime(2026, 1, 21, 9, 0, tzinfo=MSK)
    assert schedule.last_fired_at == datetime(2026, 1, 20, 9, 0, tzinfo=MSK)


def test_date_timer_start_fires_once(harness, clock):
    clock.set(datetime(2026, 1, 19, 12, 0, tzinfo=MSK))
    harness.deploy("features/timer_start_date.bpmn")
    fired = _run_hourly(harness, clock, datetime(2026, 1, 22, 12, 0, tzinfo=MSK))
    assert fired == [datetime(2026, 1, 20, 12, 0, tzinfo=MSK)]
    [instance] = _instances(harness, "timer_start_date")
    assert instance.status == "running"
    assert [t.element_id for t in harness.open_tasks(instance.id)] == ["review_pipeline"]
    schedule = harness.session.scalars(select(ProcessSchedule)).one()
    assert schedule.next_fire_at is None
    assert start_scheduled(harness.factory, harness.services) == 0


def test_iso_cycle_r3_fires_exactly_three_times(harness, clock):
    clock.set(datetime(2026, 1, 19, 12, 0, tzinfo=MSK))
    harness.deploy("features/timer_start_cycle.bpmn")
    fired = _run_hourly(harness, clock, datetime(2026, 1, 24, 12, 0, tzinfo=MSK))
    assert fired == [datetime(2026, 1, 20, 9, 0, tzinfo=MSK), datetime(2026, 1, 20, 21, 0, tzinfo=MSK),
                     datetime(2026, 1, 21, 9, 0, tzinfo=MSK)]
    assert len(_instances(harness, "timer_start_cycle")) == 3
    assert harness.session.scalars(select(ProcessSchedule)).one().next_fire_at is None


def test_starting_a_scheduled_process_by_hand_starts_it_now(harness, clock):
    harness.deploy("features/timer_start_cron.bpmn", "features/timer_start_date.bpmn")
    for key in ("timer_start_cron", "timer_start_date"):
        instance = harness.start(key)
        assert instance.status == "running"
        assert [t.element_id for t in harness.open_tasks(instance.id)] == ["review_pipeline"]
        assert ("timer_fired", "scheduled") in harness.events(instance.id)
    schedules = harness.session.scalars(select(ProcessSchedule).order_by(ProcessSchedule.process_key)).all()
    assert [s.last_fired_at for s in schedules] == [None, None]  # the schedules are untouched
