"""Import through the pages: upload, mapping, dry run and run in the background, progress, report, revert."""

import csv
import io
import random

from sqlalchemy import func, select

from models.clients.cards import Client
from models.clients.imports.batches import ClientImport
from tests.clients.conftest import make_client
from tests.clients.import_files import company_row, to_csv
from tests.conftest import csrf_from, login
from web.scheduler import run_jobs_once


def _upload(client, data, name="clients.csv", mode="create"):
    token = csrf_from(client.get("/clients/import").get_data(as_text=True))
    return client.post("/clients/import", data={"csrf_token": token, "mode": mode,
                                                "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _start(client, batch_id, dry_run, mapping=None):
    page = client.get(f"/clients/import/{batch_id}").get_data(as_text=True)
    form = {"csrf_token": csrf_from(page), "mode": "create", "dry_run": "1" if dry_run else "0"}
    form.update(mapping or {f"map_{i}": f for i, f in enumerate(
        ["full_name", "inn", "kpp", "ogrn", "phones", "emails", "contact_name", "contact_position"])})
    return client.post(f"/clients/import/{batch_id}/start", data=form)


def test_import_flow_in_the_browser(app, client, session, demo_users):
    rng = random.Random(21)
    bad = company_row(rng, "Плохая")
    bad[1] = "12345"
    rows = [company_row(rng, "Веб Один", "8 495 100 00 01"), bad, company_row(rng, "Веб Два")]
    login(client, "backoffice")
    uploaded = _upload(client, to_csv(rows))
    assert uploaded.status_code == 302
    batch_id = int(uploaded.headers["Location"].rstrip("/").split("/")[-1])
    mapping_page = client.get(f"/clients/import/{batch_id}").get_data(as_text=True)
    assert '<option value="inn" selected>' in mapping_page and "Пробный прогон" in mapping_page

    assert _start(client, batch_id, dry_run=True).status_code == 302
    queued = client.get(f"/clients/import/{batch_id}/status").json
    assert queued["status"] == "queued" and queued["total"] == 3
    assert "import-progress" in client.get(f"/clients/import/{batch_id}").get_data(as_text=True)
    run_jobs_once(app)
    status = client.get(f"/clients/import/{batch_id}/status").json
    assert (status["status"], status["percent"], status["created"], status["rejected"]) == ("done", 100, 2, 1)
    assert session.scalar(select(func.count(Client.id))) == 0
    page = client.get(f"/clients/import/{batch_id}").get_data(as_text=True)
    assert "Будет создано" in page and "ИНН должен содержать 10 цифр, а не 5" in page

    assert _start(client, batch_id, dry_run=False).status_code == 302
    run_jobs_once(app)
    assert client.get(f"/clients/import/{batch_id}/status").json["created"] == 2
    assert session.scalar(select(func.count(Client.id))) == 2
    report = client.get(f"/clients/import/{batch_id}/report.csv")
    rows = list(csv.reader(io.StringIO(report.get_data().decode("utf-8-sig")), delimiter=";"))
    assert rows[1][:3] == ["3", "отклонён", "ИНН должен содержать 10 цифр, а не 5"]
    assert _start(client, batch_id, dry_run=False).status_code == 303  # a finished import is not rerun

    page = client.get(f"/clients/import/{batch_id}").get_data(as_text=True)
    assert client.post(f"/clients/import/{batch_id}/revert",
                       data={"csrf_token": csrf_from(page)}).status_code == 302
    assert session.scalar(select(func.count(Client.id))) == 0
    assert client.get(f"/clients/import/{batch_id}/status").json["status"] == "reverted"


def test_bad_files_are_refused_on_upload(client, demo_users):
    login(client, "backoffice")
    cases = [(b"", "empty.csv", "Файл пуст"),
             (b"Name;INN\r\n", "header.csv", "нет ни одной строки"),
             ("Наименование;ИНН\r\nООО;1\r\n".encode("utf-16"), "u16.csv", "UTF-16"),
             ("Наименование;ИНН\r\nООО;1\r\n".encode("koi8-r"), "koi.csv", "проверьте также кодировку"),
             (b"just text", "fake.xlsx", "не является книгой Excel")]
    for data, name, message in cases:
        response = _upload(client, data, name, mode="update")
        page = response.get_data(as_text=True)
        assert response.status_code == 422, name
        assert message in page, name
        assert '<option value="update" selected>' in page


def test_mapping_without_name_or_inn_is_refused(client, session, demo_users):
    login(client, "backoffice")
    batch_id = int(_upload(client, to_csv([company_row(random.Random(3), "Х")])).headers["Location"]
                   .split("/")[-1])
    response = _start(client, batch_id, dry_run=True, mapping={"map_4": "phones"})
    assert response.status_code == 422
    assert "Сопоставьте хотя бы столбец «Наименование» или «ИНН»" in response.get_data(as_text=True)
    assert session.get(ClientImport, batch_id).status == "draft"


def test_import_is_for_back_office_and_own_batches(app, client, session, demo_users):
    login(client, "manager")
    assert client.get("/clients/import").status_code == 403
    assert _upload(client, b"x", "x.csv").status_code == 403
    admin = app.test_client()
    login(admin, "admin")
    batch_id = int(_upload(admin, to_csv([company_row(random.Random(4), "Адм")])).headers["Location"]
                   .split("/")[-1])
    backoffice = app.test_client()
    login(backoffice, "backoffice")
    assert backoffice.get(f"/clients/import/{batch_id}").status_code == 200
    assert client.get(f"/clients/import/{batch_id}/status").status_code == 403


def test_second_run_of_the_same_file_through_the_job_creates_nothing(app, client, session, demo_users):
    make_client(session, demo_users["manager"], "Уже Есть", inn="7707083893", kpp="773601001",
                ogrn="1027700132195")
    data = to_csv([company_row(random.Random(5), "Новая"),
                   ["ООО «Уже Есть»", "7707083893", "773601001", "1027700132195", "", "", "", ""]])
    login(client, "backoffice")
    for expected in (1, 0):
        batch_id = int(_upload(client, data).headers["Location"].split("/")[-1])
        _start(client, batch_id, dry_run=False)
        run_jobs_once(app)
        assert client.get(f"/clients/import/{batch_id}/status").json["created"] == expected
    assert session.scalar(select(func.count(Client.id))) == 2
