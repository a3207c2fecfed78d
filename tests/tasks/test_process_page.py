"""The inbox task page on the shared renderer: instructions with loops, labels, uploads of refused forms."""

from __future__ import annotations

import io

from engine.tables import HumanTask
from tests.conftest import csrf_from, login
from tests.tasks.conftest import start_callback
from tests.tasks.data_review import start_review


def test_the_back_office_task_lists_the_problems_and_shows_labels_not_codes(
    app, client, session, demo_users, deployed
):
    task = start_review(app, session, demo_users, name="ООО «Ошибка» <script>")
    login(client, "backoffice")
    page = client.get(f"/inbox/process/{task.id}").get_data(as_text=True)
    instructions = page.split('id="instructions"')[1].split("</div>")[0]
    assert "В карточке клиента «ООО «Ошибка» &lt;script&gt;» найдены ошибки реквизитов:" in instructions
    assert "<li>Неверная контрольная цифра ИНН</li>" in instructions
    assert "{%" not in page and "<script>" not in instructions
    assert '<option value="confirmed_by_registry">Реквизиты верны, подтверждено реестром</option>' in page

    token = csrf_from(page)
    done = client.post(f"/inbox/process/{task.id}", data={"csrf_token": token, "resolution": "fixed"})
    assert done.status_code == 302
    follow = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Задача выполнена. Процесс завершён." in follow
    completed = client.get(f"/inbox/process/{task.id}").get_data(as_text=True)
    assert "Реквизиты исправлены в карточке" in completed and ">fixed<" not in completed


def test_a_refused_form_leaves_no_upload_behind(app, client, session, clock, demo_users, deployed):
    task = start_callback(app, session, clock, assignee="manager")
    uploads = app.extensions["crm.settings"].instance_dir / "uploads"
    login(client, "manager")
    token = csrf_from(client.get(f"/inbox/process/{task.id}").get_data(as_text=True))
    refused = client.post(f"/inbox/process/{task.id}", data={
        "csrf_token": token, "outcome": "reached", "call_date": "2026-01-12", "premium": "много",
        "attachment": (io.BytesIO(b"%PDF-1.4"), "request.pdf")}, content_type="multipart/form-data")
    assert refused.status_code == 422 and "Сумма в рублях" in refused.get_data(as_text=True)
    assert not uploads.exists() or list(uploads.iterdir()) == []

    done = client.post(f"/inbox/process/{task.id}", data={
        "csrf_token": token, "outcome": "reached", "call_date": "2026-01-12", "premium": "1 500 000",
        "attachment": (io.BytesIO(b"%PDF-1.4"), "request.pdf")}, content_type="multipart/form-data")
    assert done.status_code == 302
    session.expire_all()
    data = session.get(HumanTask, task.id).completed_data
    assert data["premium"] == "1500000.00"
    assert (app.extensions["crm.settings"].instance_dir / data["attachment"]).read_bytes() == b"%PDF-1.4"
