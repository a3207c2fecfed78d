"""A deal's card lists its tasks — the process steps of the deal and of its lead, and the tasks
people set about the deal — open ones first, then the newest closed; the rest are a link away."""

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.tables import HumanTask, ProcessDefinition, ProcessInstance, TaskStatus
from models.clients.cards import Client
from models.sales.deal_tasks import CARD_TASKS
from models.sales.deals import open_deal
from models.sales.funnels import funnel_by_code
from models.sales.leads import Lead
from models.tasks.adhoc import Task, TaskState
from tests.conftest import login


@pytest.fixture
def deal(world):
    client = Client(kind="company", full_name="АО «Много задач»", inn="7736050011",
                    owner=world.users["manager"])
    lead = Lead(source="site", company="АО «Много задач»", status="converted")
    world.session.add_all([client, lead])
    world.session.flush()
    made = open_deal(world.session, client=client, funnel=funnel_by_code(world.session, "company"),
                     owner_id=world.users["manager"].id, now=world.clock.now(), title="Задачи: ДМС")
    made.lead_id = lead.id
    world.session.commit()
    return made


def _step(world, business_type: str, business_id: int, title: str, *, done: bool = False, due=None,
          age: int = 0) -> None:
    """A process step (an inbox projection row) about the object, ``age`` days old."""
    definition = world.session.scalar(select(ProcessDefinition).order_by(ProcessDefinition.id))
    now = world.clock.now()
    instance = ProcessInstance(definition_id=definition.id, process_key=definition.key, title="Процесс",
                               status="waiting", state_json="{}", business_type=business_type,
                               business_id=business_id, started_at=now, updated_at=now, version=1)
    world.session.add(instance)
    world.session.flush()
    world.session.add(HumanTask(instance_id=instance.id, task_uuid=str(uuid.uuid4()), element_id="step",
                                process_key=definition.key, title=title, business_type=business_type,
                                business_id=business_id, due_at=due, created_at=now - timedelta(days=age),
                                status=TaskStatus.COMPLETED if done else TaskStatus.OPEN))


def _task(world, deal, title: str, *, done: bool = False, due=None, age: int = 0) -> None:
    """A task a person set about the deal, ``age`` days old."""
    manager = world.users["manager"]
    world.session.add(Task(title=title, assignee_id=manager.id, creator_id=manager.id, business_type="deal",
                           business_id=deal.id, due_at=due,
                           created_at=world.clock.now() - timedelta(days=age),
                           status=TaskState.DONE if done else TaskState.NEW, is_open=not done))


def _card_tasks(page: str) -> list[str]:
    block = page.split('id="deal-tasks"')[1].split("</ul>")[0]
    return re.findall(r"(?:>|^)((?:Шаг|Задача|Лид)[^<]*?)(?:</a>| —)", block)


def test_both_kinds_open_first_by_due_then_the_newest_closed(world, client, deal):
    now = world.clock.now()
    _step(world, "deal", deal.id, "Шаг без срока")
    _task(world, deal, "Задача через неделю", due=now + timedelta(days=7))
    _step(world, "deal", deal.id, "Шаг завтра", due=now + timedelta(days=1))
    _step(world, "lead", deal.lead_id, "Лид: квалификация", done=True, age=30)
    _task(world, deal, "Задача сделана вчера", done=True, age=1)
    world.session.commit()
    login(client, "manager")
    page = client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert _card_tasks(page) == ["Шаг завтра", "Задача через неделю", "Шаг без срока", "Задача сделана вчера",
                                 "Лид: квалификация"]
    block = page.split('id="deal-tasks"')[1].split("</ul>")[0]
    task_id = world.session.scalar(select(Task.id).where(Task.title == "Задача через неделю"))
    assert f'href="/inbox/tasks/{task_id}"' in block, "a task set about the deal links to its page"
    assert "выполнена" in block and "новая" in block, "each shows its status in words"
    assert 'id="all-tasks"' not in page


def test_many_tasks_the_card_shows_the_newest_and_links_to_the_rest(world, client, deal):
    for i in range(CARD_TASKS + 4):
        _task(world, deal, f"Задача {i:03d}", done=True, age=CARD_TASKS + 4 - i)
    _step(world, "deal", deal.id, "Шаг открыт")
    world.session.commit()
    login(client, "manager")
    page = client.get(f"/deals/{deal.id}").get_data(as_text=True)
    newest = [f"Задача {i:03d}" for i in range(CARD_TASKS + 3, 3, -1)][:CARD_TASKS - 1]
    assert _card_tasks(page) == ["Шаг открыт", *newest]
    link = re.search(r'id="all-tasks" href="([^"]+)"', page)
    assert link is not None and "Все задачи — в ленте сделки" in page
    timeline = client.get(link.group(1).replace("&amp;", "&"))
    assert timeline.status_code == 200
    assert "Задача 000" in timeline.get_data(as_text=True), "the oldest is in the deal's feed"


def test_the_link_finds_the_older_process_steps_of_the_deal_and_of_its_lead(world, client, deal):
    _step(world, "lead", deal.lead_id, "Лид: первый звонок", done=True, age=90)
    for i in range(CARD_TASKS + 2):
        _step(world, "deal", deal.id, f"Шаг {i:03d}", done=True, age=CARD_TASKS + 2 - i)
    other = _other_deal(world)
    _step(world, "deal", other.id, "Шаг чужой сделки", done=True, age=1)
    world.session.commit()
    login(client, "manager")
    page = client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert "Лид: первый звонок" not in _card_tasks(page) and "Шаг 000" not in _card_tasks(page)
    link = re.search(r'id="all-tasks" href="([^"]+)"', page)
    assert link is not None
    feed = client.get(link.group(1).replace("&amp;", "&") + "&limit=200").get_data(as_text=True)
    assert "Лид: первый звонок" in feed and "Шаг 000" in feed and "Шаг чужой сделки" not in feed
    step_id = world.session.scalar(select(HumanTask.id).where(HumanTask.title == "Шаг 000"))
    assert f'href="/inbox/process/{step_id}"' in feed, "a step links to its page"
    assert "Задача процесса" in feed and "Статус: Выполнена" in feed


def _other_deal(world):
    client = Client(kind="company", full_name="ООО «Другое»", inn="7707083893", owner=world.users["manager"])
    world.session.add(client)
    world.session.flush()
    return open_deal(world.session, client=client, funnel=funnel_by_code(world.session, "company"),
                     owner_id=world.users["manager"].id, now=world.clock.now(), title="Другая сделка")
