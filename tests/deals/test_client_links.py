"""Where the client base meets leads and deals: registry flags and matching by contact points."""

from models.clients import Client, Contact
from models.lead_flow import find_existing_client


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
