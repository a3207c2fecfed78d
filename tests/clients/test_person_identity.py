"""People without phone or e-mail: date of birth, passport (hash and mask only) or address identify them,
and the card's duplicate hints for people come from the multi-field score with its reasons."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from models.clients.cards import Client, Contact
from models.clients.service import ClientInvalid, add_contact, create_client
from models.clients.validation import PERSON_IDENTITY_MISSING
from models.platform.audit import AuditLog
from tests.conftest import login


def _person(session, user, name, **raw) -> Client:
    client = create_client(session, user, {"kind": "person", "full_name": name, **raw})
    session.commit()
    return client


def test_a_person_is_kept_by_birth_date_or_passport_and_the_passport_never_in_clear(app, session, demo_users):
    manager = demo_users["manager"]
    born = _person(session, manager, "Кузнецов Сергей Петрович", birth_date="03.02.1975")
    assert born.birth_date == date(1975, 2, 3) and born.phone is None and born.email is None
    papers = _person(session, manager, "Петрова Ольга", passport="45 12 345678")
    assert papers.passport_masked == "45 ** ****78"
    assert papers.passport_hash and "345678" not in papers.passport_hash
    logged = {r.field: r.new_value for r in session.scalars(
        select(AuditLog).where(AuditLog.entity_type == "client", AuditLog.entity_id == str(papers.id)))}
    assert logged["passport_hash"] == "***" and logged["passport_masked"] == "45 ** ****78"
    assert all("345678" not in (v or "") for v in logged.values())
    lives = _person(session, manager, "Сидоров Пётр", postal_address="Москва, ул. Ленина, 1")
    assert lives.id
    # nothing at all to tell the person apart: refused in Russian
    for raw, field, text in (({}, "phones", PERSON_IDENTITY_MISSING),
                             ({"birth_date": "31.02.1980"}, "birth_date", "в формате ДД.ММ.ГГГГ"),
                             ({"birth_date": "01.01.2100"}, "birth_date", "в прошлом"),
                             ({"passport": "45 12 3456"}, "passport", "10 цифр")):
        try:
            create_client(session, manager, {"kind": "person", "full_name": "Без данных", **raw})
        except ClientInvalid as exc:
            assert text in exc.fields[field]
        else:
            raise AssertionError(raw)
        session.rollback()
    contact = add_contact(session, manager, born.id, {"full_name": "Кузнецова Анна",
                                                      "birth_date": "1980-05-17", "passport": "4500 123456",
                                                      "address": "Тверь"})
    session.commit()
    contact = session.get(Contact, contact.id)
    assert contact.birth_date == date(1980, 5, 17)
    assert (contact.passport_masked, contact.address) == ("45 ** ****56", "Тверь")


def test_the_card_shows_person_hints_with_their_reasons(app, session, demo_users, client):
    manager = demo_users["manager"]
    original = _person(session, manager, "Кузнецов Сергей Петрович", birth_date="03.02.1975",
                       passport="45 12 345678")
    typo = _person(session, manager, "Гузнецов Сергей", birth_date="03.02.1975")
    swapped = _person(session, manager, "Сергей Петрович Кузнецов", passport="4512 345678")
    namesake = _person(session, manager, "Кузнецов Сергей", birth_date="11.11.1990")
    surname_only = _person(session, manager, "Кузнецов", emails="k@example.ru")
    login(client, "manager")
    page = client.get(f"/clients/{original.id}").get_data(as_text=True)
    hints = page[page.index('id="duplicates"'):]
    hints = hints[:hints.index("</ul>")]
    assert "Гузнецов Сергей" in hints and "Сергей Петрович Кузнецов" in hints
    assert "дата рождения совпадает" in hints and "паспорт совпадает" in hints and "баллов" in hints
    assert f"/clients/{namesake.id}\"" not in hints and f"/clients/{surname_only.id}\"" not in hints
    assert "45 ** ****78" in page and "345678" not in page
    assert typo.id and swapped.id
