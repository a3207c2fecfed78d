"""Merging keeps every contact, related row and history entry of both clients."""

import pytest
from sqlalchemy import Column, ForeignKey, Integer, String, Table, func, insert, select

from models.clients.cards import Client, Contact
from models.clients.duplicates import NotDuplicate
from models.clients.history import PAGE_ROWS, client_history
from models.clients.merge import ClientMerge, client_references, merge_clients
from models.clients.search import ClientFilter, search_page
from models.clients.service import ClientInvalid, update_client
from models.platform.audit import AuditLog, acting_as
from models.platform.db import Base
from models.platform.permissions import AccessDenied
from tests.clients.conftest import make_client


@pytest.fixture
def pair(session, demo_users):
    manager = demo_users["manager"]
    survivor = make_client(session, manager, "Омега", contacts=("Иванов Иван", "Петров Пётр"),
                           phone="+74951110000", email="omega@omega.ru", tags=["опт"])
    other = make_client(session, manager, "Омега Трейд", contacts=("Сидорова Анна",),
                        phone="+74952220000", extra_phones=["+79160000009"], tags=["vip"],
                        territory="Казань", notes="Старый клиент")
    with acting_as(manager.id):
        update_client(session, manager, other, {"industry": "Логистика"}, partial=True)
        session.commit()
    return survivor, other


def test_merge_moves_contacts_unites_phones_and_applies_choices(session, demo_users, pair):
    survivor, other = pair
    survivor_id, other_id = survivor.id, other.id
    contact_ids = {c.id for c in survivor.contacts} | {c.id for c in other.contacts}
    merge_clients(session, demo_users["manager"], survivor, other,
                  {"territory": "other", "industry": "other", "full_name": "survivor"}, "Одна компания")
    session.commit()
    session.expire_all()
    merged = session.get(Client, survivor_id)
    assert session.get(Client, other_id) is None
    assert {c.id for c in merged.contacts} == contact_ids
    assert merged.all_phones == ["+74951110000", "+74952220000", "+79160000009"]
    assert merged.tags == ["опт", "vip"]
    assert (merged.territory, merged.industry) == ("Казань", "Логистика")
    assert merged.full_name == "Общество с ограниченной ответственностью «Омега»"
    flt = ClientFilter.from_args({"q": "+7 916 000-00-09"})
    assert [c.id for c in search_page(session, demo_users["manager"], flt).items] == [survivor_id]
    flt = ClientFilter.from_args({"q": "сидорова"})
    assert [c.id for c in search_page(session, demo_users["manager"], flt).items] == [survivor_id]


def test_merge_keeps_history_of_both_and_records_itself(session, demo_users, pair):
    survivor, other = pair
    survivor_id, other_id = survivor.id, other.id
    other_rows = session.scalar(select(func.count(AuditLog.id)).where(
        AuditLog.entity_type == "client", AuditLog.entity_id == str(other_id)))
    merge_clients(session, demo_users["manager"], survivor, other, {}, "Дубль из выставки")
    session.commit()
    survivor = session.get(Client, survivor_id)
    history = client_history(session, survivor, PAGE_ROWS).entries  # the whole of it, not the card's share
    entities = {h.entity for h in history}
    assert "Клиент" in entities and f"Клиент #{other_id} (объединён)" in entities
    assert {"Контакт «Иванов Иван»", "Контакт «Сидорова Анна»"} <= entities
    from_other = [h for h in history if h.entity == f"Клиент #{other_id} (объединён)"]
    assert len(from_other) >= other_rows  # its own history plus its deletion by the merge
    assert any(h.field == "Отрасль" and h.new == "Логистика" for h in from_other)
    moved = [h for h in history if h.field == "Клиент" and h.old == str(other_id)]
    assert moved and all("Объединение: #" in h.reason for h in moved)
    record = session.scalar(select(ClientMerge).where(ClientMerge.survivor_id == survivor_id))
    assert record.merged_id == other_id and record.reason == "Дубль из выставки"
    assert record.snapshot["territory"] == "Казань" and record.user_id == demo_users["manager"].id


def test_every_foreign_key_to_client_is_repointed(session, demo_users, pair):
    survivor, other = pair
    # A table of a later feature (deals, tasks…) this module does not know about.
    deals = Table("test_merge_deal", Base.metadata, Column("id", Integer, primary_key=True),
                  Column("client_id", ForeignKey("client.id")), Column("title", String(50)))
    try:
        deals.create(session.connection())
        session.execute(insert(deals), [{"client_id": other.id, "title": "КАСКО"},
                                        {"client_id": survivor.id, "title": "ОСАГО"}])
        third = make_client(session, demo_users["manager"], "Третий")
        session.add(NotDuplicate(client_a_id=min(other.id, third.id), client_b_id=max(other.id, third.id)))
        session.commit()
        assert deals.c.client_id in client_references()
        merge_clients(session, demo_users["manager"], survivor, other, {})
        session.commit()
        rows = session.execute(select(deals.c.title, deals.c.client_id).order_by(deals.c.id)).all()
        assert rows == [("КАСКО", survivor.id), ("ОСАГО", survivor.id)]
        pair_row = session.scalar(select(NotDuplicate))
        assert {pair_row.client_a_id, pair_row.client_b_id} == {survivor.id, third.id}
    finally:
        session.rollback()
        deals.drop(session.connection())
        session.commit()
        Base.metadata.remove(deals)


def test_refused_merge_changes_nothing(session, demo_users, pair):
    survivor, other = pair
    with pytest.raises(ClientInvalid) as exc:
        merge_clients(session, demo_users["manager"], survivor, other, {"inn": "other", "kpp": "bogus"})
    assert exc.value.fields == {"kpp": "Выберите значение одной из карточек"}
    with pytest.raises(ClientInvalid):
        merge_clients(session, demo_users["manager"], survivor, survivor, {})
    stranger = make_client(session, demo_users["manager2"], "Чужой")
    with pytest.raises(AccessDenied):
        merge_clients(session, demo_users["manager"], survivor, stranger, {})
    session.rollback()
    assert session.scalar(select(func.count(Client.id))) == 3
    assert session.scalar(select(func.count(Contact.id))) == 3
