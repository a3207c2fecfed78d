"""The client pages call one service each: what moved out of the views still behaves.

A failing service leaves nothing stored (the request's unit of work), missing records are
404 with a Russian message, refused imports show the choices back without storing them,
and the registry's answer is recorded with the application's clock.
"""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime

from sqlalchemy import func, select

from models.clients.cards import Client
from models.clients.duplicates import NotDuplicate
from models.clients.imports.batches import ClientImport, ImportRow
from models.platform.audit import AuditLog
from tests.clients.conftest import make_client
from tests.clients.import_files import company_row, to_csv
from tests.conftest import csrf_from, login
from web.scheduler import run_jobs_once

MAPPING = ["full_name", "inn", "kpp", "ogrn", "phones", "emails", "contact_name", "contact_position"]


def _upload(client, data: bytes, mode: str = "create") -> int:
    token = csrf_from(client.get("/clients/import").get_data(as_text=True))
    response = client.post("/clients/import", data={"csrf_token": token, "mode": mode,
                                                    "file": (io.BytesIO(data), "clients.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def _start(client, batch_id: int, mode: str, mapping: list[str], dry_run: bool = False):
    token = csrf_from(client.get(f"/clients/import/{batch_id}").get_data(as_text=True))
    form = {"csrf_token": token, "mode": mode, "dry_run": "1" if dry_run else "0",
            **{f"map_{i}": field for i, field in enumerate(mapping)}}
    return client.post(f"/clients/import/{batch_id}/start", data=form)


def test_a_revert_failing_after_its_deletions_keeps_the_whole_import(app, client, session, demo_users):
    rng = random.Random(31)
    known = make_client(session, demo_users["manager"], "Обновляемая", inn="7707083893",
                        kpp="773601001", ogrn="1027700132195")
    rows = [company_row(rng, "Новая Одна"), company_row(rng, "Новая Две"),
            ["ООО «Обновляемая»", "7707083893", "773601001", "1027700132195", "+74951112233", "", "", ""]]
    login(client, "backoffice")
    batch_id = _upload(client, to_csv(rows), mode="update")
    assert _start(client, batch_id, "update", MAPPING).status_code == 302
    run_jobs_once(app)
    assert session.get(ClientImport, batch_id).status == "done"
    # A damaged snapshot: restoring it breaks a NOT NULL column after the created clients were deleted.
    updated = session.scalar(select(ImportRow).where(ImportRow.import_id == batch_id,
                                                     ImportRow.outcome == "updated"))
    updated.before = {**(updated.before or {}), "full_name": None}
    session.commit()
    clients_before = session.scalar(select(func.count(Client.id)))

    app.config["PROPAGATE_EXCEPTIONS"] = False
    page = client.get(f"/clients/import/{batch_id}").get_data(as_text=True)
    response = client.post(f"/clients/import/{batch_id}/revert", data={"csrf_token": csrf_from(page)})

    assert response.status_code == 500
    session.expire_all()
    assert session.scalar(select(func.count(Client.id))) == clients_before == 3
    assert session.get(ClientImport, batch_id).status == "done"
    assert session.get(Client, known.id).all_phones == ["+74951112233"]
    assert session.scalar(select(func.count(AuditLog.id)).where(
        AuditLog.reason.like(f"Откат импорта #{batch_id}%"))) == 0


def test_a_refused_start_shows_the_choices_back_and_stores_none(client, session, demo_users):
    login(client, "backoffice")
    batch_id = _upload(client, to_csv([company_row(random.Random(32), "Выбор")]))
    response = _start(client, batch_id, "update", ["", "", "", "", "phones"], dry_run=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Сопоставьте хотя бы столбец «Наименование» или «ИНН»" in page
    assert '<option value="update" selected>' in page  # the mode chosen, not the stored one
    session.expire_all()
    batch = session.get(ClientImport, batch_id)
    assert (batch.status, batch.mode) == ("draft", "create")
    assert batch.mapping["0"] == "full_name" and batch.mapping["4"] == "phones"

    bad_mode = _start(client, batch_id, "everything", MAPPING, dry_run=True)
    assert bad_mode.status_code == 422 and "Выберите режим импорта" in bad_mode.get_data(as_text=True)
    session.expire_all()
    assert session.get(ClientImport, batch_id).mode == "create"


def test_missing_records_answer_404_in_russian(app, client, session, demo_users):
    own = make_client(session, demo_users["manager"], "Своя", contacts=("Иванов Иван",))
    other = make_client(session, demo_users["manager"], "Другая", contacts=("Петров Пётр",))
    login(client, "manager")
    missing = client.get("/clients/999999")
    assert missing.status_code == 404 and "Клиент не найден" in missing.get_data(as_text=True)
    foreign_contact = other.contacts[0].id  # a contact of another client is not this card's
    assert client.get(f"/clients/{own.id}/contacts/{foreign_contact}").status_code == 404
    assert "Контакт не найден" in client.get(f"/clients/{own.id}/contacts/999999").get_data(as_text=True)
    api = client.get("/api/v1/clients/999999")
    assert api.status_code == 404
    assert api.get_json()["error"] == {"code": "not_found", "message": "Клиент не найден"}
    backoffice = app.test_client()
    login(backoffice, "backoffice")
    assert "Импорт не найден" in backoffice.get("/clients/import/999999").get_data(as_text=True)


def test_a_client_is_not_marked_a_non_duplicate_of_itself(client, session, demo_users):
    own = make_client(session, demo_users["manager"], "Сама Себе")
    login(client, "manager")
    card = client.get(f"/clients/{own.id}").get_data(as_text=True)
    response = client.post(f"/clients/{own.id}/not-duplicate/{own.id}",
                           data={"csrf_token": csrf_from(card)}, follow_redirects=True)
    assert response.status_code == 200
    assert "Клиент не может быть дубликатом самого себя" in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(NotDuplicate)) == 0


def test_the_registry_answer_is_recorded_with_the_app_clock(client, session, clock, demo_users,
                                                            registry):
    known = make_client(session, demo_users["manager"], "Часы")
    registry.add(known.inn, "Часы", status="ACTIVE")
    clock.set(datetime(2030, 5, 6, 7, 8, tzinfo=UTC))
    login(client, "manager")
    card = client.get(f"/clients/{known.id}").get_data(as_text=True)
    assert client.post(f"/clients/{known.id}/registry",
                       data={"csrf_token": csrf_from(card)}).status_code == 302
    session.expire_all()
    checked = session.get(Client, known.id)
    assert checked.registry_status == "ACTIVE"
    assert checked.registry_checked_at == datetime(2030, 5, 6, 7, 8, tzinfo=UTC)
