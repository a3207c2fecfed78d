"""Acceptance 5: site leads name their region and industry (or the phone's area code names the region),
so they reach different teams; a manager's load counts ad-hoc tasks as well as process tasks."""

from datetime import timedelta

from sqlalchemy import select

from models.sales.leads import Lead
from models.sales.regions import region_from_phone
from models.sales.routing import SalesTeam, manager_loads
from models.tasks.adhoc import Task
from tests.conftest import login


def _site_lead(client, world, **fields) -> Lead:
    answer = client.post("/intake/lead", data={"consent": "1", "source": "site", **fields})
    assert answer.status_code == 202, answer.get_data(as_text=True)
    world.session.expire_all()
    return world.session.get(Lead, answer.get_json()["lead_id"])


def _members(world, code: str) -> set[int]:
    team = world.session.scalar(select(SalesTeam).where(SalesTeam.code == code))
    return {m.user_id for m in team.members}


def test_site_leads_from_different_regions_reach_different_teams(world, client):
    form = client.get("/intake/form").get_data(as_text=True)
    assert '<label class="form-label small mb-0" for="lead-territory">Регион</label>' in form
    assert '<label class="form-label small mb-0" for="lead-industry">Отрасль</label>' in form
    moscow = _site_lead(client, world, name="Олег", company="ООО «Гранд Логистик»", phone="+7 916 111-22-33",
                        territory="Москва", industry="Логистика")
    spb = _site_lead(client, world, name="Анна", company="ООО «Невский Берег»", phone="+7 921 111-22-33",
                     territory="Санкт-Петербург", industry="Строительство")
    by_phone = _site_lead(client, world, name="Пётр", company="ООО «Уральский Металл»",
                          phone="8 (343) 222-33-44")
    unknown = _site_lead(client, world, name="Ирина", company="ООО «Ромашка»", phone="+7 903 000-11-22")
    assert (moscow.team_code, spb.team_code, by_phone.team_code, unknown.team_code) == (
        "moscow_logistics", "regions", "regions", "general")
    assert "команда Москва: логистика и транспорт, территория Москва, отрасль Логистика" in (
        moscow.routing_reason)
    assert "команда Регионы, территория Санкт-Петербург" in spb.routing_reason
    assert by_phone.territory == "Екатеринбург" and "территория Екатеринбург" in by_phone.routing_reason
    assert unknown.territory is None and "команда Общий поток" in unknown.routing_reason
    assert moscow.assigned_to_id in _members(world, "moscow_logistics")
    assert {spb.assigned_to_id, by_phone.assigned_to_id} <= _members(world, "regions")


def test_the_area_code_names_the_region_and_a_mobile_does_not():
    assert region_from_phone("+74955005550") == "Москва"
    assert region_from_phone("+78125005550") == "Санкт-Петербург"
    assert region_from_phone("+79165005550") is None
    assert region_from_phone(None) is None and region_from_phone("+7812") is None


def test_ad_hoc_tasks_count_in_the_load_and_on_the_workload_page(world, client):
    manager2 = world.users["manager2"]
    before = manager_loads(world.session, [manager2.id])[manager2.id]
    now = world.clock.now()
    world.session.add_all([Task(title="Подготовить КП для «Ромашки»", assignee_id=manager2.id,
                                creator_id=world.users["senior"].id, due_at=now - timedelta(days=1)),
                           Task(title="Позвонить в «Гранд»", assignee_id=manager2.id,
                                creator_id=world.users["senior"].id, due_at=now + timedelta(days=1)),
                           Task(title="Закрытая", assignee_id=manager2.id, status="done", is_open=False)])
    world.session.commit()
    assert manager_loads(world.session, [manager2.id])[manager2.id] == before + 2
    login(client, "senior")
    page = client.get("/deals/workload").get_data(as_text=True)
    row = page.split(manager2.full_name, 1)[1].split("</tr>", 1)[0]
    assert "<td>2 (1)</td>" in row
