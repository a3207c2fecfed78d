"""The public intake: the whole way from the site form to a deal, bad input, bots and floods."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.tables import HumanTask
from models.clients.cards import Client
from models.platform.outbox import OutboxMessage
from models.sales.deals import Deal
from models.sales.leads import Lead
from tests.conftest import csrf_from, login


def _client(world, **fields):
    client = Client(kind="company", full_name="ООО «Логистик Плюс»", inn="7707083893", territory="Москва",
                    industry="Логистика", owner=world.users["manager3"], **fields)
    world.session.add(client)
    world.session.commit()
    return client


def test_site_lead_is_routed_by_rule_worked_and_becomes_a_deal(world, client):
    existing = _client(world)
    answer = client.post("/intake/lead", json={
        "consent": True,
        "name": "Олег Сидоров", "company": "Логистик Плюс", "inn": "7707083893", "phone": "+7 916 555-44-33",
        "email": "oleg@logistic.ru", "comment": "Нужно КАСКО на 40 грузовиков", "source": "site",
        "utm_source": "yandex", "utm_campaign": "kasko"})
    assert answer.status_code == 202
    lead_id = answer.get_json()["lead_id"]
    lead = world.session.get(Lead, lead_id)
    manager = world.users["manager"]  # equal load in «Москва: логистика», first in turn
    assert (lead.client_id, lead.team_code, lead.assigned_to_id) == (
        existing.id, "moscow_logistics", manager.id)
    assert lead.routing_reason.startswith(
        "назначен по правилу: команда Москва: логистика и транспорт, территория Москва, отрасль Логистика, "
        "загрузка 0")
    [task] = world.session.scalars(select(HumanTask).where(HumanTask.business_id == lead_id)).all()
    assert (task.title, task.assignee_id, task.business_type) == ("Связаться с клиентом", manager.id, "lead")

    login(client, "manager")
    card = client.get(f"/leads/{lead_id}").get_data(as_text=True)
    assert "назначен по правилу" in card and "Связаться с клиентом" in card
    done = client.post(f"/leads/{lead_id}/outcome", data={
        "csrf_token": csrf_from(card), "outcome": "qualified", "premium": "1200000", "product": "КАСКО"})
    assert done.status_code == 302
    world.session.expire_all()
    deal = world.session.scalar(select(Deal).where(Deal.lead_id == lead_id))
    assert done.headers["Location"].endswith(f"/deals/{deal.id}")
    assert (deal.client_id, deal.funnel.code, deal.stage.name, deal.owner_id) == (
        existing.id, "company", "Новый", manager.id)
    assert world.session.get(Client, existing.id).phone == "+79165554433"
    notified = {m.payload["to"] for m in world.session.scalars(select(OutboxMessage))
                if m.payload["subject"].startswith("Новая сделка")}
    assert notified == {"manager@demo.crm.local", "manager3@demo.crm.local"}
    board = client.get("/deals/?funnel=company").get_data(as_text=True)
    assert deal.title in board


def test_malformed_input_gets_400_with_a_json_error(world, client):
    broken = client.post("/intake/lead", data="{name:", content_type="application/json")
    assert broken.status_code == 400 and broken.get_json()["error"]["code"] == "malformed"
    assert client.post("/intake/lead", json=["a list"]).status_code == 400
    invalid = client.post("/intake/lead",
                          json={"consent": True, "name": "Иван", "phone": "12345", "inn": "12"})
    assert invalid.status_code == 400
    assert invalid.get_json()["error"]["fields"] == {
        "inn": ["ИНН — 10 или 12 цифр"], "phone": ["Телефон: ожидается российский номер, +7 и 10 цифр"]}
    nothing = client.post("/intake/lead", data={"comment": "просто так"})
    assert set(nothing.get_json()["error"]["fields"]) == {"consent", "name", "phone"}
    odd = client.post("/intake/lead",
                      json={"consent": True, "name": "Иван", "email": "i@x.ru", "password": "x"})
    assert odd.get_json()["error"]["fields"] == {"_form": ["Неизвестные поля: password"]}
    assert world.session.scalar(select(func.count(Lead.id))) == 0


def test_honeypot_looks_accepted_but_stores_nothing(world, client):
    bot = client.post("/intake/lead", data={"name": "Bot", "email": "b@x.ru", "website": "http://spam"})
    assert bot.status_code == 202 and "lead_id" not in bot.get_json()
    assert world.session.scalar(select(func.count(Lead.id))) == 0


def test_a_flood_from_one_address_is_throttled_and_loses_no_accepted_lead(world, app):
    app.extensions["crm.settings"].intake_rate_per_minute = 6
    answers: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def flood(worker: int) -> None:
        http = app.test_client()
        for n in range(8):
            response = http.post("/intake/lead", data={"consent": "on", "name": f"Поток {worker}-{n}",
                                                        "email": f"f{worker}{n}@flood.ru"})
            with lock:
                answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=flood, args=(w,)) for w in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    codes = sorted(code for code, _ in answers)
    assert codes == [202] * 6 + [429] * 18
    accepted = {body["lead_id"] for code, body in answers if code == 202}
    world.session.expire_all()
    stored = set(world.session.scalars(select(Lead.id)))
    assert stored == accepted
    assert world.session.scalar(select(func.count(HumanTask.id))) == 6
    world.clock.advance(timedelta(minutes=1))
    again = app.test_client().post("/intake/lead", json={"consent": True, "name": "Снова", "email": "a@b.ru"})
    assert again.status_code == 202


def test_public_form_page_needs_no_login(world, client):
    page = client.get("/intake/form")
    assert page.status_code == 200 and 'name="website"' in page.get_data(as_text=True)


@pytest.mark.server_db
def test_the_hit_alone_commits_without_waiting_for_the_disk(world):
    """The throttle's count commits without waiting for the WAL flush; the next transaction waits again."""
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from models.sales.intake_limits import allowed

    with world.session.get_bind().connect() as conn:  # one connection throughout, whatever the pool does
        conn.execute(text("SET synchronous_commit TO on"))  # its own default, whatever the database's
        conn.commit()
        with Session(bind=conn) as session:
            assert allowed(session, "10.0.0.9", world.clock.now(), 5)
            assert session.scalar(text("SHOW synchronous_commit")) == "off"
            session.commit()
            assert session.scalar(text("SHOW synchronous_commit")) == "on"  # e.g. a lead's transaction
            session.rollback()


def test_a_lead_without_its_process_deployed_is_kept_for_manual_work(app, client, session, demo_users):
    """The intake starts ``lead_handling`` without asking first whether it is deployed; a database
    with no version of it still stores the lead, with no process and nothing half-written."""
    from engine.tables import ProcessInstance

    answer = client.post("/intake/lead", json={"consent": True, "name": "Иван Петров",
                                              "phone": "+7 916 123-45-67", "company": "ООО «Без процесса»"})
    assert answer.status_code == 202, answer.get_data(as_text=True)
    lead = session.get(Lead, answer.get_json()["lead_id"])
    assert lead is not None and lead.instance_id is None
    assert session.scalar(select(func.count(ProcessInstance.id))) == 0
    assert session.scalar(select(func.count(HumanTask.id))) == 0
