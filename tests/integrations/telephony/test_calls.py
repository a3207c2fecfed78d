"""Acceptance 2: Mango Office VPBX webhooks → one call activity on the right client, one «Перезвонить»
task for a missed call, replays and unsigned bodies refused; recordings played through the CRM
with rights; click-to-call through the PBX's callback command (against a fake Mango API)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from integrations.telephony.calls import TelephonyCall, TelephonyExtension
from integrations.telephony.mango import sign, signed_form
from models.clients.cards import Client, Contact
from models.platform.outbox import OutboxMessage
from models.sales.activities import Activity
from models.tasks.adhoc import Task
from tests.conftest import login
from tests.integrations.conftest import deliver
from tests.integrations.http_fake import FakeServer

KEY, SALT = "vpbx-key-123", "salt-456"


@pytest.fixture
def mango():
    def answer(seen):
        form = dict(pair.split("=", 1) for pair in seen.body.decode().split("&")) if seen.body else {}
        from urllib.parse import unquote_plus

        form = {k: unquote_plus(v) for k, v in form.items()}
        if form.get("sign") != sign(KEY, form.get("json", ""), SALT):
            return 401, {"Content-Type": "application/json"}, b'{"result": 3102}'
        if seen.path == "/vpbx/queries/recording/post":
            return 302, {"Location": "/files/rec.mp3"}, b""
        return 200, {"Content-Type": "application/json"}, b'{"result": 1000}'

    def route(seen):
        if seen.path == "/files/rec.mp3":
            return 200, {"Content-Type": "audio/mpeg"}, b"ID3-fake-mp3-audio"
        return answer(seen)

    with FakeServer(route) as server:
        yield server


@pytest.fixture
def settings_overrides(mango):
    return {"mango_url": mango.url, "mango_api_key": KEY, "mango_api_salt": SALT}


def _post(client, kind, payload, *, key=KEY, salt=SALT, raw=None):
    form = raw or signed_form(key, salt, payload)
    return client.post(f"/hooks/mango/events/{kind}", data=form)


def _demo_contact(session) -> Contact:
    contact = session.scalars(select(Contact).where(Contact.phone.is_not(None)).order_by(Contact.id)).first()
    assert contact is not None
    return contact


def _spelled_as_pbx(e164: str) -> str:
    return "8" + e164[2:]  # +74951234567 → 84951234567, as some PBX trunks send it


def _summary(clock, number, *, answered=True, extension="101", entry="E-1", direction=1):
    end = int(clock.now().timestamp())
    return {
        "entry_id": entry,
        "call_direction": direction,
        "from": {"number": number} if direction == 1 else {"extension": extension},
        "to": {"extension": extension, "number": "74955550000"} if direction == 1 else {"number": number},
        "line_number": "74955550000",
        "create_time": end - 200,
        "forward_time": end - 195,
        "talk_time": end - 155 if answered else 0,
        "end_time": end,
        "entry_result": 1 if answered else 0,
        "disconnect_reason": 1110,
    }


def test_answered_call_becomes_one_activity_on_the_contacts_client(
    app, client, session, clock, demo_clients, demo_users
):
    contact = _demo_contact(session)
    session.add(TelephonyExtension(user_id=demo_users["manager"].id, extension="101"))
    session.commit()
    number = _spelled_as_pbx(contact.phone)
    start = int(clock.now().timestamp()) - 200
    appeared = {
        "entry_id": "E-1",
        "call_id": "C-1",
        "timestamp": start,
        "seq": 1,
        "call_state": "Appeared",
        "location": "ivr",
        "from": {"number": number},
        "to": {"number": "74955550000"},
    }
    assert _post(client, "call", appeared).status_code == 200
    connected = dict(
        appeared,
        seq=2,
        call_state="Connected",
        timestamp=start + 45,
        to={"extension": "101", "number": "74955550000"},
    )
    assert _post(client, "call", connected).status_code == 200
    assert _post(client, "summary", _summary(clock, number)).status_code == 200

    activities = session.scalars(select(Activity).where(Activity.kind == "call")).all()
    assert len(activities) == 1
    activity = activities[0]
    assert activity.client_id == contact.client_id
    assert activity.user_id == demo_users["manager"].id
    assert "Входящий" in activity.subject and "2:35" in activity.outcome
    call = session.scalars(select(TelephonyCall)).one()
    assert (call.direction, call.duration, call.missed, call.contact_id) == ("in", 155, False, contact.id)
    assert session.scalar(select(func.count(Task.id))) == 0
    login(client, "admin")  # calls per manager, for the coaching report
    stats = client.get("/integrations/admin/telephony").get_data(as_text=True)
    assert demo_users["manager"].full_name in stats.split('id="call-stats"')[1].split("</table>")[0]


def test_missed_call_makes_one_callback_task_and_a_replay_creates_nothing(
    app, client, session, clock, demo_clients
):
    contact = _demo_contact(session)
    owner_id = session.get(Client, contact.client_id).owner_id
    body = _summary(clock, "+7 " + contact.phone[2:], answered=False, entry="E-2")
    form = signed_form(KEY, SALT, body)
    assert _post(client, "summary", body, raw=form).status_code == 200
    replay = _post(client, "summary", body, raw=form)
    assert replay.status_code == 409 and "повтор" in replay.get_json()["error"]["message"]

    tasks = session.scalars(select(Task)).all()
    assert len(tasks) == 1
    assert tasks[0].title.startswith("Перезвонить") and tasks[0].assignee_id == owner_id
    assert (tasks[0].business_type, tasks[0].business_id) == ("client", contact.client_id)
    assert session.scalar(select(func.count(Activity.id))) == 1
    assert "Пропущенный" in session.scalars(select(Activity)).one().subject


def test_unsigned_forged_or_stale_webhooks_are_refused_and_logged(app, client, session, clock, demo_clients):
    contact = _demo_contact(session)
    body = _summary(clock, contact.phone, entry="E-3")
    assert _post(client, "summary", body, salt="wrong-salt").status_code == 403
    unsigned = {"vpbx_api_key": KEY, "json": json.dumps(body)}
    assert _post(client, "summary", body, raw=unsigned).status_code == 403
    clock.advance(timedelta(hours=1))
    assert _post(client, "summary", body).status_code == 409  # signed, but an hour old
    assert _post(client, "summary", None, raw=signed_form(KEY, SALT, {"no": "entry"})).status_code == 400
    assert session.scalar(select(func.count(TelephonyCall.id))) == 0
    assert session.scalar(select(func.count(Activity.id))) == 0
    page = login(client, "admin") and client.get("/integrations/admin/telephony")
    assert "Подпись события АТС неверна" in page.get_data(as_text=True)


def test_recording_is_fetched_by_the_worker_and_played_through_the_crm_with_rights(
    app, client, session, clock, demo_clients, mango, demo_users
):
    contact = _demo_contact(session)
    assert _post(client, "summary", _summary(clock, contact.phone, entry="E-4")).status_code == 200
    recording = {
        "recording_id": "REC-77",
        "recording_state": "Completed",
        "seq": 5,
        "entry_id": "E-4",
        "call_id": "C-4",
        "extension": "101",
        "timestamp": int(clock.now().timestamp()),
        "completion_code": 1000,
    }
    assert _post(client, "recording", recording).status_code == 200
    call = session.scalars(select(TelephonyCall)).one()
    login(client, "admin")
    assert client.get(f"/integrations/calls/{call.id}/recording").status_code == 404  # not fetched yet
    assert deliver(app, clock) == 1
    assert any(r.path == "/vpbx/queries/recording/post" for r in mango.requests)
    audio = client.get(f"/integrations/calls/{call.id}/recording")
    assert audio.status_code == 200 and audio.data == b"ID3-fake-mp3-audio"
    card = client.get(f"/clients/{contact.client_id}").get_data(as_text=True)
    assert f"/integrations/calls/{call.id}/recording" in card

    owner = session.get(Client, contact.client_id).owner
    stranger = next(u for u in demo_users.values() if u.role == "manager" and u.id != owner.id)
    other = app.test_client()
    login(other, stranger.login)
    assert other.get(f"/integrations/calls/{call.id}/recording").status_code in (403, 404)
    assert app.test_client().get(f"/integrations/calls/{call.id}/recording").status_code == 302  # login first


def test_click_to_call_queues_the_callback_command_and_the_worker_sends_it_signed(
    app, client, session, clock, demo_clients, mango, demo_users
):
    contact = _demo_contact(session)
    owner = session.get(Client, contact.client_id).owner
    session.add(TelephonyExtension(user_id=owner.id, extension="105"))
    session.commit()
    login(client, owner.login)
    from tests.conftest import csrf_from

    token = csrf_from(client.get(f"/clients/{contact.client_id}").get_data(as_text=True))
    answer = client.post(
        "/integrations/calls/dial",
        data={"client_id": contact.client_id, "phone": contact.phone, "csrf_token": token},
    )
    assert answer.status_code == 302
    assert mango.requests == []  # the request only queued the command
    assert deliver(app, clock) == 1
    sent = [r for r in mango.requests if r.path == "/vpbx/commands/callback"]
    assert len(sent) == 1
    from urllib.parse import parse_qs

    form = {k: v[0] for k, v in parse_qs(sent[0].body.decode()).items()}
    payload = json.loads(form["json"])
    assert payload["from"] == {"extension": "105"} and payload["to_number"] == contact.phone.lstrip("+")
    assert form["sign"] == sign(KEY, form["json"], SALT)


def test_pbx_failures_are_retried_by_the_outbox_and_shown_to_the_admin(
    app, client, session, clock, demo_users
):
    settings = app.extensions["crm.settings"]
    settings.mango_api_salt = "rotated-salt"  # the PBX now refuses our signature: 401
    session.add(
        OutboxMessage(
            kind="telephony.callback",
            created_at=clock.now(),
            next_attempt_at=clock.now(),
            payload={"command_id": "x1", "extension": "101", "number": "74951234567"},
        )
    )
    session.commit()
    assert deliver(app, clock) == 0
    row = session.scalars(select(OutboxMessage)).one()
    assert row.status == "pending" and "подпись" in row.last_error
    login(client, "admin")
    page = client.get("/integrations/admin/telephony").get_data(as_text=True)
    assert "подпись" in page and "telephony.callback" in page
