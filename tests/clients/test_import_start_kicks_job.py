"""Starting an import on the page kicks the import job at once, and the job runs the batch.

With the scheduler on, the page starts the ``client_imports`` job in a thread instead of
waiting for the next tick. The job claims queued batches through sessions of its own, so
the page starts it after the request's unit of work committed the batch as queued
(``after_this_request``); a kick before the commit would race the commit, which a test
cannot show reliably, so this test checks the outcome: the batch is run to the end.
"""

from __future__ import annotations

import io
import random
import threading

import pytest

from models.clients.imports.batches import ClientImport
from tests.clients.import_files import company_row, to_csv
from tests.conftest import csrf_from, login


@pytest.fixture
def settings_overrides(settings_overrides: dict) -> dict:
    """The clients' test settings with the in-process scheduler on (what ``run_soon`` needs)."""
    return {**settings_overrides, "scheduler": True}


def test_the_job_started_by_the_page_finds_the_batch_queued(client, session, demo_users):
    login(client, "backoffice")
    token = csrf_from(client.get("/clients/import").get_data(as_text=True))
    data = to_csv([company_row(random.Random(41), "Сразу Одна"), company_row(random.Random(42), "Сразу Две")])
    uploaded = client.post("/clients/import", data={"csrf_token": token, "mode": "create",
                                                    "file": (io.BytesIO(data), "clients.csv")},
                           content_type="multipart/form-data")
    batch_id = int(uploaded.headers["Location"].rstrip("/").split("/")[-1])
    token = csrf_from(client.get(f"/clients/import/{batch_id}").get_data(as_text=True))
    form = {"csrf_token": token, "mode": "create", "dry_run": "0", "map_0": "full_name", "map_1": "inn",
            "map_2": "kpp", "map_3": "ogrn"}
    assert client.post(f"/clients/import/{batch_id}/start", data=form).status_code == 302
    for thread in [t for t in threading.enumerate() if t.name == "job-client_imports"]:
        thread.join(timeout=30)
    session.expire_all()
    batch = session.get(ClientImport, batch_id)
    assert (batch.status, batch.created_count) == ("done", 2)
