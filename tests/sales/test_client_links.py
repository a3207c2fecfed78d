"""Where the client base meets leads and deals: registry flags and matching by contact points."""

from models.clients.cards import Client, Contact
from models.sales.lead_flow import find_existing_client


def test_registry_status_sets_the_deal_flag(session, demo_users):
    client = Client(kind="company", full_name="ООО «Закат»", owner=demo_users["manager"])
    session.add(client)
    session.commit()
    assert client.registry_flag is False
    client.registry_status = "LIQUIDATING"
    session.commit()
    assert client.registry_flag is True
    client.registry_status = "ACTIVE"
    session.commit()
    assert client.registry_flag is False


def test_lead_finds_the_client_by_a_contact_phone_in_another_spelling(session, demo_users):
    client = Client(kind="company", full_name="ООО «Ромашка»", owner=demo_users["manager"])
    client.contacts.append(Contact(full_name="Иванов Иван", phone="8 (495) 123-45-67",
                                   email="Ivanov@Romashka.ru"))
    session.add(client)
    session.commit()
    found, matched_by = find_existing_client(session, None, "+7 495 1234567", None)
    assert (found.id, matched_by) == (client.id, "телефон")
    found, matched_by = find_existing_client(session, None, None, "ivanov@ROMASHKA.ru ")
    assert (found.id, matched_by) == (client.id, "e-mail")
    assert find_existing_client(session, None, "+7 495 0000000", "nobody@example.ru") == (None, None)


def test_merge_moves_tasks_processes_and_comments_that_name_the_client(session, demo_users):
    from datetime import UTC, datetime, timedelta

    from engine.tables import HumanTask
    from models.clients.merge import merge_clients
    from models.tasks.adhoc import Task, TaskInput, create_task
    from models.tasks.comments import Comment

    admin = demo_users["admin"]
    survivor = Client(kind="company", full_name="ООО «Ромашка»", short_name="Ромашка", inn="7707083893",
                      kpp="773601001",
                      ogrn="1027700132195", owner=demo_users["manager"])
    other = Client(kind="company", full_name="ООО «Ромашка» (дубль)", short_name="Ромашка", inn="7707083893",
                   kpp="773601001",
                   ogrn="1027700132195", owner=demo_users["manager"])
    session.add_all([survivor, other])
    session.commit()
    now = datetime(2026, 11, 24, 9, tzinfo=UTC)
    task = create_task(session, TaskInput(title="Позвонить", assignee_id=demo_users["manager"].id,
                                          business_type="client", business_id=other.id,
                                          due_at=now + timedelta(days=1)), admin, now, timedelta(hours=1))
    session.add(Comment(object_type="client", object_id=other.id, author_id=admin.id, body="Важный клиент",
                        created_at=now))
    session.commit()
    other_id = other.id
    merge_clients(session, admin, survivor, other, {}, "дубликат из импорта")
    session.commit()
    session.expire_all()
    assert session.get(Task, task.id).business_id == survivor.id
    comment = session.query(Comment).one()
    assert (comment.object_type, comment.object_id) == ("client", survivor.id)
    assert session.get(Client, other_id) is None
    assert session.query(HumanTask).filter_by(business_id=other_id).count() == 0


def test_client_card_lists_the_clients_deals(app, session, demo_users):
    from datetime import UTC, datetime

    from models.sales.deals import open_deal
    from models.sales.funnels import ensure_default_funnels, funnel_for_kind
    from tests.conftest import login

    ensure_default_funnels(session)
    client = Client(kind="company", full_name="ООО «Карта»", short_name="Карта", owner=demo_users["manager"])
    session.add(client)
    session.flush()
    deal = open_deal(session, client=client, funnel=funnel_for_kind(session, "company"),
                     owner_id=demo_users["manager"].id, now=datetime(2026, 11, 24, tzinfo=UTC),
                     title="Карта: КАСКО")
    session.commit()
    browser = app.test_client()
    login(browser, "manager")
    page = browser.get(f"/clients/{client.id}").get_data(as_text=True)
    assert f'href="/deals/{deal.id}"' in page and "Карта: КАСКО" in page
    other = app.test_client()
    login(other, "manager2")  # may not see the client at all
    assert other.get(f"/clients/{client.id}").status_code in (403, 404)
