"""Import of clients: modes, duplicates, rejected rows with reasons, dry run, revert.

Acceptance 2: a Windows-1251 semicolon CSV with invalid and duplicate rows creates exactly
the valid new clients, reports every rejected row with its reason, and a second run of
the same file creates nothing new.
"""

import csv
import io
import random

import pytest
from sqlalchemy import func, select, text

from models.clients.cards import Client, Contact
from models.clients.history import client_history
from models.clients.imports.batches import ClientImport, ImportRow, create_batch, report_csv, revert_import
from models.clients.imports.plan import Matcher, OwnerLookup, RowPlan, prepare_row
from models.clients.imports.run import apply_chunk, run_import
from models.collaboration.timeline import timeline
from models.platform.audit import VALUES_FIELD, AuditLog
from tests.clients.conftest import make_client
from tests.clients.import_files import HEADER, company_row, to_csv, to_xlsx


def _run(session, data, name="clients.csv", mode="create", dry_run=False, actor=None, chunk_size=500):
    batch = create_batch(session, actor, data, name, mode)
    batch.dry_run = dry_run
    progress = []
    run_import(session, batch, actor, on_chunk=lambda b: progress.append(b.processed_rows),
               chunk_size=chunk_size)
    session.commit()
    batch.progress_seen = progress
    return batch


def _rows(session, batch, outcome):
    return {r.row_no: r.reason for r in session.scalars(
        select(ImportRow).where(ImportRow.import_id == batch.id, ImportRow.outcome == outcome))}


def _count(session, model=Client):
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def messy_file(session, demo_users):
    """A 1251/semicolon file: 3 new companies and a person, 5 bad rows, 3 duplicates."""
    rng = random.Random(7)
    existing = make_client(session, demo_users["manager"], "Старый Клиент", inn="7707083893",
                           kpp="773601001", ogrn="1027700132195")
    good_a = company_row(rng, "Альфа; и партнёры", "8 (495) 111-22-33", "Info@Alfa.ru",
                         "Иванов Иван", "Директор")
    good_b = company_row(rng, "Бета", "+7 495 2223344")
    good_c = company_row(rng, "Ёлка", email="elka@elka.ru")
    bad_inn = company_row(rng, "Кривой ИНН")
    bad_inn[1] = bad_inn[1][:-1] + str((int(bad_inn[1][-1]) + 1) % 10)
    no_ogrn = company_row(rng, "Без ОГРН")
    no_ogrn[3] = ""
    bad_phone = company_row(rng, "Плохой Телефон", "позвонить Ивану")
    rows = [
        good_a,                                                      # 2: created
        bad_inn,                                                     # 3: rejected
        ["ООО «Старый Клиент»", "7707083893", "773601001", "1027700132195", "", "", "", ""],  # 4: skipped
        good_b,                                                      # 5: created
        list(good_a),                                                # 6: skipped (repeats row 2)
        no_ogrn,                                                     # 7: rejected
        ["Петров Пётр", "", "", "", "8 916 555 44 33", "", "", ""],  # 8: created (person)
        ["ООО «Обрезанная»", "7736050003"],                          # 9: rejected (too few fields)
        bad_phone,                                                   # 10: rejected
        good_c,                                                      # 11: created
        ["Петров Пётр", "", "", "", "+7 916 5554433", "", "", ""],   # 12: skipped (repeats row 8)
        ["", "", "", "", "", "", "Контакт без клиента", ""],         # 13: rejected
    ]
    return {"data": to_csv(rows, ";", "cp1251"), "existing": existing}


def test_acceptance_1251_file_with_invalid_and_duplicate_rows(session, messy_file):
    before = _count(session)
    batch = _run(session, messy_file["data"])
    assert batch.status == "done" and batch.total_rows == 12
    assert (batch.created_count, batch.skipped_count, batch.rejected_count) == (4, 3, 5)
    assert _count(session) == before + 4
    names = set(session.scalars(select(Client.short_name).where(Client.import_batch_id == batch.id)))
    assert names == {"ООО «Альфа; и партнёры»", "ООО «Бета»", "ООО «Ёлка»", None}
    person = session.scalar(select(Client).where(Client.full_name == "Петров Пётр"))
    assert person.kind == "person" and person.phone == "+79165554433"
    alfa = session.scalar(select(Client).where(Client.short_name == "ООО «Альфа; и партнёры»"))
    assert alfa.phone == "+74951112233" and alfa.email == "info@alfa.ru"
    assert [(c.full_name, c.position) for c in alfa.contacts] == [("Иванов Иван", "Директор")]
    rejected = _rows(session, batch, "rejected")
    assert set(rejected) == {3, 7, 9, 10, 13}
    assert "Неверная контрольная цифра ИНН" in rejected[3]
    assert "ОГРН не указан" in rejected[7]
    assert "В строке 2 полей вместо 8" in rejected[9]
    assert "Телефон «позвонить Ивану» не похож на номер" in rejected[10]
    assert "Укажите ФИО" in rejected[13]
    skipped = _rows(session, batch, "skipped")
    assert skipped == {4: f"Уже есть в базе: #{messy_file['existing'].id}", 6: "Повторяет строку 2",
                       12: "Повторяет строку 8"}
    report = list(csv.reader(io.StringIO(report_csv(session, batch).decode("utf-8-sig")), delimiter=";"))
    assert report[0] == ["Строка", "Результат", "Причина", *HEADER]
    assert {int(r[0]) for r in report[1:] if r[1] == "отклонён"} == {3, 7, 9, 10, 13}
    assert all(r[2] for r in report[1:])

    again = _run(session, messy_file["data"])
    assert again.created_count == 0 and _count(session) == before + 4
    assert (again.skipped_count, again.rejected_count) == (7, 5)


def test_rows_are_audited_with_the_import_as_reason(session, messy_file, demo_users):
    batch = _run(session, messy_file["data"], actor=demo_users["backoffice"])
    alfa = session.scalar(select(Client).where(Client.import_batch_id == batch.id).limit(1))
    rows = session.scalars(select(AuditLog).where(AuditLog.entity_type == "client",
                                                  AuditLog.entity_id == str(alfa.id))).all()
    assert rows and all(r.reason == f"Импорт #{batch.id} (clients.csv)" for r in rows)
    assert {r.user_id for r in rows} == {demo_users["backoffice"].id}
    assert alfa.owner_id == demo_users["backoffice"].id


def test_the_history_and_timeline_show_the_imported_values_in_russian(session, messy_file, demo_users):
    """An imported card's one log row (all its values) reads like the rows of a card made by hand."""
    actor = demo_users["backoffice"]
    batch = _run(session, messy_file["data"], actor=actor)
    alfa = session.scalar(select(Client).where(Client.short_name == "ООО «Альфа; и партнёры»"))
    logged = session.scalars(select(AuditLog).where(AuditLog.entity_type == "client",
                                                    AuditLog.entity_id == str(alfa.id))).all()
    assert [r.field for r in logged] == [VALUES_FIELD]  # one row per new client, not one per column

    history = client_history(session, alfa).entries
    shown = {(e.entity, e.field): e.new for e in history}
    assert shown[("Клиент", "Полное наименование")] == "ООО «Альфа; и партнёры»"
    assert shown[("Клиент", "ИНН")] == alfa.inn and shown[("Клиент", "ОГРН/ОГРНИП")] == alfa.ogrn
    assert shown[("Клиент", "Тип")] == "Юрлицо" and shown[("Клиент", "Статус")] == "Активный"
    assert shown[("Клиент", "Телефон")] == "+74951112233" and shown[("Клиент", "E-mail")] == "info@alfa.ru"
    assert shown[("Клиент", "Ответственный")] == actor.full_name
    assert shown[("Контакт «Иванов Иван»", "Должность")] == "Директор"
    assert all(e.action == "создание" and e.old == "—" and e.user == actor.full_name
               and e.reason == f"Импорт #{batch.id} (clients.csv)" for e in history)
    assert not {"id", "search_name", "created_at", VALUES_FIELD} & {e.field for e in history}

    [entry] = [e for e in timeline(session, actor, "client", alfa.id, {}).entries if e.source == "fields"]
    assert entry.title == "Клиент: создана карточка"
    assert {"Полное наименование: ООО «Альфа; и партнёры»", f"ИНН: {alfa.inn}", "Тип клиента: Юрлицо",
            f"Ответственный: {actor.full_name}", "Телефон: +74951112233"} <= set(entry.lines)

    # The personal-data erasure masks the row's values: it still reads as one masked entry.
    for row in logged:
        row.new_value = "***"
    session.flush()
    assert [(e.field, e.new) for e in client_history(session, alfa).entries if e.entity == "Клиент"] == [
        ("Поля карточки", "***")]


def test_dry_run_shows_outcomes_and_writes_nothing(session, messy_file):
    clients, contacts = _count(session), _count(session, Contact)
    batch = _run(session, messy_file["data"], dry_run=True)
    assert (batch.created_count, batch.skipped_count, batch.rejected_count) == (4, 3, 5)
    assert (_count(session), _count(session, Contact)) == (clients, contacts)
    assert len(_rows(session, batch, "created")) == 4  # the preview of what would be created


def test_skip_duplicates_and_update_modes(session, demo_users):
    rng = random.Random(11)
    owner = demo_users["manager"]
    known = make_client(session, owner, "Гамма", inn="7707083893", kpp="773601001",
                        ogrn="1027700132195", phone="+74950001122")
    rows = [["ООО «Гамма»", "7707083893", "773601001", "1027700132195", "8 812 000 11 22",
             "gamma@gamma.ru", "Смирнова Ольга", "Бухгалтер"],
            ["Зета Сервис", "", "", "", "8 (495) 000-11-22", "", "", ""],  # no INN, Гамма's phone
            company_row(rng, "Похожая", "+7 495 000-11-22")]  # Гамма's phone, another INN
    data = to_csv(rows, ",", "utf-8", bom=True)
    skip = _run(session, data, mode="skip-duplicates")
    assert (skip.created_count, skip.skipped_count) == (1, 2)
    assert _rows(session, skip, "skipped") == {
        2: f"Уже есть в базе: #{known.id}",
        3: f"Возможный дубликат — #{known.id}: совпадает телефон +74950001122"}

    update = _run(session, data, mode="update", actor=demo_users["backoffice"])
    assert (update.updated_count, update.created_count, update.skipped_count) == (1, 1, 1)
    assert _rows(session, update, "skipped") == {4: "Без изменений"}
    session.refresh(known)
    assert known.all_phones == ["+74950001122", "+78120001122"]
    assert known.email == "gamma@gamma.ru"
    assert [c.full_name for c in known.contacts] == ["Смирнова Ольга"]
    again = _run(session, data, mode="update", actor=demo_users["backoffice"])
    assert (again.updated_count, again.created_count, again.skipped_count) == (0, 0, 3)


def test_likely_duplicates_are_created_with_a_warning_in_create_mode(session, demo_users):
    owner = demo_users["manager"]
    known = make_client(session, owner, "Дельта", inn=None, kpp=None, ogrn=None, phone="+74953334455",
                        kind="person", full_name="Дельта Сервис", short_name=None)
    data = to_csv([["Дельта Сервис Плюс", "", "", "", "8 495 333 44 55", "", "", ""]])
    batch = _run(session, data)
    assert batch.created_count == 1
    assert _rows(session, batch, "created") == {
        2: f"Возможный дубликат — #{known.id}: совпадает телефон +74953334455"}
    skipped = _run(session, data, mode="skip-duplicates")
    assert skipped.created_count == 0


def test_revert_undoes_the_whole_import(session, messy_file, demo_users):
    owner = demo_users["manager"]
    known = make_client(session, owner, "Гамма", inn="7736050003", kpp="773601001",
                        ogrn="1027700070518", territory="Москва")
    created = _run(session, messy_file["data"], actor=demo_users["backoffice"])
    data = to_csv([["ООО «Гамма»", "7736050003", "773601001", "1027700070518", "+74959998877", "",
                    "", ""]], header=HEADER)
    updated = _run(session, data, mode="update", actor=demo_users["backoffice"])
    assert updated.updated_count == 1
    total = _count(session)
    assert revert_import(session, demo_users["backoffice"], created)["deleted"] == 4
    assert revert_import(session, demo_users["backoffice"], updated)["restored"] == 1
    session.commit()
    session.refresh(known)
    assert _count(session) == total - 4 and known.phone is None
    assert session.get(ClientImport, created.id).status == "reverted"
    deletions = session.scalars(select(AuditLog).where(AuditLog.action == "delete",
                                                       AuditLog.entity_type == "client")).all()
    assert deletions and all(r.reason.startswith(f"Откат импорта #{created.id}") for r in deletions)
    from models.clients.imports.files import ImportFileError
    with pytest.raises(ImportFileError):
        revert_import(session, demo_users["backoffice"], created)


def test_xlsx_import_and_numbers_stored_as_numbers(session):
    rng = random.Random(12)
    row = company_row(rng, "Таблица", "84951230000")
    xlsx_row = [row[0], int(row[1]), row[2], float(row[3]), int(row[4]), "", "", ""]
    batch = _run(session, to_xlsx([xlsx_row, [None] * 8]), name="clients.xlsx")
    assert batch.file_format == "xlsx" and batch.created_count == 1
    client = session.scalar(select(Client).where(Client.import_batch_id == batch.id))
    assert (client.inn, client.ogrn, client.phone) == (row[1], row[3], "+74951230000")


def test_unclosed_quote_breaks_one_row_not_the_file(session):
    rng = random.Random(13)
    good1, good2 = company_row(rng, "Первая"), company_row(rng, "Вторая")
    lines = [";".join(HEADER), ";".join(good1), '"ООО «Сломанная;7707083893;;;;;;',
             ";".join(good2)]
    lines += [";".join(company_row(rng, f"Хвост {i}")) for i in range(25)]
    batch = _run(session, ("\n".join(lines) + "\n").encode("utf-8"), chunk_size=10)
    assert batch.created_count == 27 and batch.rejected_count == 1
    assert "проверьте кавычки" in _rows(session, batch, "rejected")[3]
    assert batch.progress_seen == [11, 21, 28]


def test_database_refusal_rejects_only_that_row(session, engine):
    """A row the database refuses (here: a trigger) is rejected; the rest of its chunk is saved."""
    rng = random.Random(14)
    rows = [company_row(rng, "Хорошая 1"), company_row(rng, "СБОЙ"), company_row(rng, "Хорошая 2")]
    if engine.dialect.name == "sqlite":
        ddl = ["CREATE TRIGGER test_fail BEFORE INSERT ON client WHEN NEW.full_name LIKE '%СБОЙ%' "
               "BEGIN SELECT RAISE(ABORT, 'запрещено тестом'); END"]
        drop = ["DROP TRIGGER test_fail"]
    else:
        ddl = ["CREATE FUNCTION test_fail() RETURNS trigger AS $$ BEGIN IF NEW.full_name LIKE '%СБОЙ%' "
               "THEN RAISE EXCEPTION 'запрещено тестом'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
               "CREATE TRIGGER test_fail BEFORE INSERT ON client FOR EACH ROW EXECUTE FUNCTION test_fail()"]
        drop = ["DROP TRIGGER test_fail ON client", "DROP FUNCTION test_fail()"]
    for statement in ddl:
        session.execute(text(statement))
    session.commit()
    try:
        batch = _run(session, to_csv(rows))
        assert (batch.created_count, batch.rejected_count) == (2, 1)
        assert "запрещено тестом" in _rows(session, batch, "rejected")[3]
        assert _count(session) == 2 and _count(session, Contact) == 0
        assert session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.entity_type == "client", AuditLog.new_value.like("%СБОЙ%"))) == 0
    finally:
        session.rollback()
        for statement in drop:
            session.execute(text(statement))
        session.commit()


def test_a_matched_client_deleted_before_its_update_stops_the_chunk_with_its_number(session, demo_users):
    """The client an «update» row was matched with is gone by the time it is written: a clear error."""
    actor = demo_users["backoffice"]
    known = make_client(session, demo_users["manager"], "Гамма", inn="7707083893", kpp="773601001",
                        ogrn="1027700132195")
    cells = ["ООО «Гамма»", "7707083893", "773601001", "1027700132195", "8 812 000 11 22", "", "", ""]
    batch = create_batch(session, actor, to_csv([cells]), "clients.csv", "update")
    plan = RowPlan(2, cells)
    prepare_row(plan, {int(k): v for k, v in batch.mapping.items()}, OwnerLookup(session), actor)
    Matcher(session, "update", actor).decide([plan])
    assert (plan.outcome, plan.client_id) == ("updated", known.id)
    session.delete(known)
    session.flush()
    with pytest.raises(LookupError, match=f"Клиент #{known.id} удалён во время импорта"):
        apply_chunk(session, batch, [plan], actor.id, "test")


def test_imported_clients_reach_the_bi_feed_and_the_search(session, messy_file):
    """Clients written in bulk get the change marks and search rows the ORM hooks give the rest."""
    from models.clients.index import ContactPoint
    from models.reports.tables import ChangeMark

    batch = _run(session, messy_file["data"])
    ids = set(session.scalars(select(Client.id).where(Client.import_batch_id == batch.id)))
    marked = set(session.scalars(select(ChangeMark.record_id).where(ChangeMark.entity == "clients",
                                                                    ChangeMark.record_id.in_(ids))))
    assert len(ids) == 4 and marked == ids
    # Marking again (an id a bulk load reuses) moves the mark, it does not fail on the key.
    from datetime import UTC, datetime

    from models.platform.events import BULK_CREATED, DomainEvent
    from models.reports.summaries import mark_bulk_created
    later = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)
    mark_bulk_created(session, DomainEvent(BULK_CREATED, {"client_ids": sorted(ids)}, later))
    assert set(session.scalars(select(ChangeMark.updated_at).where(
        ChangeMark.entity == "clients", ChangeMark.record_id.in_(ids)))) == {later}
    alfa = session.scalar(select(Client).where(Client.short_name == "ООО «Альфа; и партнёры»"))
    points = set(session.execute(select(ContactPoint.kind, ContactPoint.value).where(
        ContactPoint.client_id == alfa.id, ContactPoint.contact_id.is_(None))))
    assert points == {("phone", "+74951112233"), ("email", "info@alfa.ru")}


def test_a_person_before_a_company_in_one_chunk(session):
    """Cards of different kinds have different keys; the bulk insert fills the missing ones."""
    rng = random.Random(3)
    rows = [["Сидоров Сидор", "", "", "", "8 916 555 44 99", "", "", ""], company_row(rng, "Дельта")]
    batch = _run(session, to_csv(rows))
    assert (batch.created_count, batch.rejected_count) == (2, 0)
