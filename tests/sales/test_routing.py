"""Routing: least load, the deputy rule for absent managers, fair round-robin among equals."""

from datetime import timedelta

from models.identity.users import Absence
from models.sales.routing import SalesTeam, choose_manager, ensure_default_teams


def _team(session):
    ensure_default_teams(session)
    session.commit()
    return session.query(SalesTeam).filter_by(code="moscow_logistics").one()


def test_equal_load_is_shared_round_robin_and_the_pointer_persists(session, demo_users, clock):
    _team(session)
    picks = []
    for _ in range(4):
        picks.append(choose_manager(session, "moscow_logistics", clock.now()).manager_id)
        session.commit()
    ids = sorted([demo_users["manager"].id, demo_users["manager2"].id])
    assert picks == ids + ids
    session.expire_all()
    assert session.query(SalesTeam).filter_by(code="moscow_logistics").one().last_assigned_id == ids[1]


def test_an_absent_manager_is_skipped_for_the_deputy(session, demo_users, clock):
    _team(session)
    today = clock.now().date()
    session.add(Absence(user_id=demo_users["manager"].id, starts_on=today,
                        ends_on=today + timedelta(days=7)))
    session.commit()
    decisions = [choose_manager(session, "moscow_logistics", clock.now(), territory="Москва",
                                industry="Логистика") for _ in range(3)]
    assert {d.manager_id for d in decisions} == {demo_users["manager2"].id}  # manager's deputy
    assert "пропущены отсутствующие: Иван Сергеевич Петров (заместитель — Мария Александровна Смирнова)" \
        in decisions[0].reason
    assert decisions[0].senior_id == demo_users["senior"].id


def test_the_least_loaded_manager_wins_over_turn_order(world):
    first = world.lead(company="ООО «Раз»", phone="+79160000001", territory="Москва", industry="Транспорт")
    world.session.refresh(first)
    busy = first.assigned_to_id
    second = world.lead(company="ООО «Два»", phone="+79160000002", territory="Москва", industry="Транспорт")
    world.session.refresh(second)
    assert second.assigned_to_id != busy
    assert "загрузка 0" in second.routing_reason
    third = world.lead(company="ООО «Три»", phone="+79160000003", territory="Москва", industry="Транспорт")
    world.session.refresh(third)
    assert "загрузка 1" in third.routing_reason and "по очереди" in third.routing_reason


def test_the_load_read_with_the_members_counts_open_tasks_only_as_manager_loads_does(session, demo_users,
                                                                                    clock):
    """Routing reads each member's load in its members' statement; it must agree with ``manager_loads``."""
    from models.sales.routing import manager_loads
    from models.tasks.adhoc import Task

    _team(session)
    manager, manager2 = demo_users["manager"], demo_users["manager2"]
    senior = demo_users["senior"].id
    session.add_all([Task(title=f"Открытая {n}", assignee_id=manager.id, creator_id=senior) for n in range(2)]
                    + [Task(title=f"Закрытая {n}", assignee_id=manager.id, creator_id=senior, status="done",
                            is_open=False) for n in range(3)]
                    + [Task(title=f"Открытая {n}", assignee_id=manager2.id, creator_id=senior)
                       for n in range(3)])
    session.commit()
    decision = choose_manager(session, "moscow_logistics", clock.now())
    loads = manager_loads(session, [manager.id, manager2.id])
    assert (decision.manager_id, decision.load) == (manager.id, 2)  # the closed three do not count
    assert loads == {manager.id: 2, manager2.id: 3}
    assert "загрузка 2" in decision.reason and "по очереди" not in decision.reason
