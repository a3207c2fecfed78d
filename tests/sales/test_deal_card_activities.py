"""A deal's card shows its newest activities; the older ones are a link away, in the deal's timeline."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.tables import ProcessDefinition, ProcessInstance
from models.clients.cards import Client
from models.sales.activities import Activity
from models.sales.cards import CARD_ACTIVITIES
from models.sales.deals import open_deal
from models.sales.funnels import funnel_by_code
from models.sales.queries import deal_processes
from tests.conftest import login


@pytest.fixture
def deal(world):
    client = Client(kind="company", full_name="АО «Долгая сделка»", inn="7736050003",
                    owner=world.users["manager"])
    world.session.add(client)
    made = open_deal(world.session, client=client, funnel=funnel_by_code(world.session, "company"),
                     owner_id=world.users["manager"].id, now=world.clock.now(), title="Долгая: ДМС")
    world.session.commit()
    return made


def _log(world, deal, count: int) -> list[str]:
    """``count`` calls on the deal, one a day, oldest first; their subjects."""
    start = world.clock.now() - timedelta(days=count)
    subjects = [f"Звонок {i:03d}" for i in range(count)]
    world.session.add_all(Activity(kind="call", subject=subject, happened_at=start + timedelta(days=i),
                                   deal_id=deal.id, client_id=deal.client_id,
                                   user_id=world.users["manager"].id, created_at=world.clock.now())
                          for i, subject in enumerate(subjects))
    world.session.commit()
    return subjects


def _timeline_subjects(page: str) -> list[str]:
    return re.findall(r"Звонок \d{3}", page.split('id="timeline"')[1].split("</ul>")[0])


def test_the_card_shows_the_newest_activities_and_links_to_the_rest(world, client, deal):
    subjects = _log(world, deal, CARD_ACTIVITIES + 5)
    login(client, "manager")
    card = client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert _timeline_subjects(card) == subjects[::-1][:CARD_ACTIVITIES]
    link = re.search(r'id="all-activities" href="([^"]+)"', card)
    assert link is not None and "Все активности" in card
    timeline = client.get(link.group(1).replace("&amp;", "&"))
    assert timeline.status_code == 200
    page = timeline.get_data(as_text=True)
    assert all(subject in page for subject in subjects)  # the oldest ones too


def test_a_card_with_few_activities_has_no_link(world, client, deal):
    subjects = _log(world, deal, 3)
    login(client, "manager")
    card = client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert _timeline_subjects(card) == subjects[::-1] and 'id="all-activities"' not in card


def test_the_cards_processes_come_without_their_saved_state(world, deal):
    definition = world.session.scalar(select(ProcessDefinition).order_by(ProcessDefinition.id))
    world.session.add(ProcessInstance(definition_id=definition.id, process_key=definition.key,
                                      title="Проверка сделки", status="waiting",
                                      state_json='{"big": "' + "x" * 10_000 + '"}', business_type="deal",
                                      business_id=deal.id, started_at=world.clock.now(),
                                      updated_at=world.clock.now(), version=1))
    world.session.commit()
    deal_id = deal.id
    world.session.expunge_all()
    [found] = deal_processes(world.session, world.session.get(type(deal), deal_id))
    assert found.title == "Проверка сделки" and "state_json" not in vars(found)
