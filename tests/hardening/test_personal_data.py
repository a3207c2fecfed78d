"""152-ФЗ duties (acceptance 5): consent on the public form, the access log, export and erasure
keeping deals' figures, the retention job; all by an administrator with a reason."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from models.clients.cards import Client, Contact
from models.platform.audit import AuditLog
from models.privacy.service import anonymise_expired_leads
from models.privacy.tables import Consent, PersonalDataAccess
from models.sales.activities import Activity
from models.sales.deals import Deal, open_deal
from models.sales.funnels import funnel_by_code
from models.sales.leads import Lead
from tests.conftest import csrf_from, login

SITE_LEAD = {
    "name": "Пётр Иванов",
    "phone": "+7 916 123-45-67",
    "email": "petr@example.ru",
    "comment": "ОСАГО на два автомобиля",
}


def test_the_public_form_refuses_a_lead_without_consent_and_records_the_consent(client, session, funnels):
    page = client.get("/intake/form").get_data(as_text=True)
    assert 'name="consent"' in page and 'href="/intake/privacy"' in page
    assert client.get("/intake/privacy").status_code == 200
    refused = client.post("/intake/lead", json=SITE_LEAD)
    assert refused.status_code == 400
    assert refused.get_json()["error"]["fields"]["consent"] == [
        "Без согласия на обработку персональных данных заявку принять нельзя"
    ]
    assert session.scalars(select(Lead)).all() == []
    accepted = client.post("/intake/lead", json=SITE_LEAD | {"consent": True})
    assert accepted.status_code == 202
    consent = session.scalars(select(Consent)).one()
    assert (consent.subject_type, consent.subject_id, consent.source) == (
        "lead",
        accepted.get_json()["lead_id"],
        "site",
    )
    assert "согласие на обработку моих персональных данных" in consent.text and consent.given_at


def _person(session, clock, demo_users) -> tuple[Client, Deal]:
    person = Client(
        kind="person",
        full_name="Иванов Пётр Сергеевич",
        inn="500100732259",
        phone="+79161234567",
        email="petr@example.ru",
        legal_address="Москва, ул. Ленина, 1",
        owner=demo_users["manager"],
    )
    person.contacts.append(Contact(full_name="Иванова Мария", phone="+79161112233", email="maria@example.ru"))
    session.add(person)
    session.flush()
    deal = open_deal(
        session,
        client=person,
        funnel=funnel_by_code(session, "person"),
        owner_id=demo_users["manager"].id,
        now=clock.now(),
        title="Иванов: КАСКО",
    )
    deal.premium = Decimal("84500.50")
    session.add(
        Activity(
            kind="call",
            subject="Звонок Иванову",
            outcome="ждёт расчёт",
            happened_at=clock.now(),
            client_id=person.id,
            user_id=demo_users["manager"].id,
        )
    )
    lead = Lead(
        source="site",
        name="Пётр Иванов",
        phone="+79161234567",
        email="petr@example.ru",
        client_id=person.id,
        created_at=clock.now(),
    )
    session.add(lead)
    session.flush()
    session.add(
        Consent(
            subject_type="lead",
            subject_id=lead.id,
            text="Согласие…",
            policy_url="/intake/privacy",
            source="site",
            given_at=clock.now(),
        )
    )
    session.commit()
    return person, deal


def _admin_post(app, path: str, data: dict):
    admin = app.test_client()
    login(admin, "admin")
    token = csrf_from(admin.get("/admin/privacy").get_data(as_text=True))
    return admin.post(path, data=data | {"csrf_token": token})


def test_export_contains_everything_and_erasure_keeps_only_the_figures(
    app, client, session, clock, demo_users, funnels
):
    person, deal = _person(session, clock, demo_users)
    login(client, "manager")
    assert client.get(f"/clients/{person.id}").status_code == 200
    viewed = session.scalars(select(PersonalDataAccess)).one()
    assert (viewed.user_id, viewed.subject_type, viewed.subject_id, viewed.action) == (
        demo_users["manager"].id,
        "client",
        person.id,
        "view",
    )

    subject = {"subject_type": "client", "subject_id": str(person.id)}
    assert (
        _admin_post(app, "/admin/privacy/export", subject | {"format": "json"}).status_code == 422
    )  # no reason
    exported = _admin_post(
        app, "/admin/privacy/export", subject | {"format": "json", "reason": "Запрос № 15"}
    )
    data = json.loads(exported.get_data(as_text=True))
    assert data["client"]["full_name"] == "Иванов Пётр Сергеевич"
    assert [c["full_name"] for c in data["contacts"]] == ["Иванова Мария"]
    assert [lead["email"] for lead in data["leads"]] == ["petr@example.ru"]
    assert [a["subject"] for a in data["activities"]] == ["Звонок Иванову"]
    assert [c["source"] for c in data["consents"]] == ["site"]
    assert data["deals"][0]["premium"] == "84500.50"
    assert [(a["user_id"], a["action"]) for a in data["access_log"]] == [(demo_users["manager"].id, "view")]
    html = _admin_post(app, "/admin/privacy/export", subject | {"format": "html", "reason": "Запрос № 15"})
    assert html.status_code == 200 and "Иванова Мария" in html.get_data(as_text=True)

    manager_try = client.post(
        "/admin/privacy/erase",
        data=subject
        | {"reason": "хочу", "csrf_token": csrf_from(client.get("/inbox/").get_data(as_text=True))},
    )
    assert manager_try.status_code == 403
    erased = _admin_post(app, "/admin/privacy/erase", subject | {"reason": "Запрос № 15: удалить"})
    assert erased.status_code == 302
    session.expire_all()
    person = session.get(Client, person.id)
    assert person.full_name.startswith("Удалено по 152-ФЗ")
    assert (person.inn, person.phone, person.email, person.legal_address, person.contacts) == (
        None,
        None,
        None,
        None,
        [],
    )
    deal = session.get(Deal, deal.id)
    assert deal.premium == Decimal("84500.50") and "Иванов" not in deal.title
    lead = session.scalars(select(Lead)).one()
    assert (lead.phone, lead.email) == (None, None) and "Иван" not in (lead.name or "")
    assert "Иванову" not in session.scalars(select(Activity)).one().subject
    leaked = session.scalars(
        select(AuditLog).where(AuditLog.entity_type == "client", AuditLog.old_value.contains("Иванов"))
    ).all()
    assert leaked == []
    log = [
        (a.action, a.reason)
        for a in session.scalars(select(PersonalDataAccess).order_by(PersonalDataAccess.id))
    ]
    assert ("erase", "Запрос № 15: удалить") in log and ("export", "Запрос № 15") in log


def test_the_retention_job_anonymises_expired_leads(session, clock, funnels):
    old = Lead(
        source="site", name="Старый лид", phone="+79160000000", created_at=clock.now() - timedelta(days=400)
    )
    new = Lead(source="site", name="Свежий лид", phone="+79160000001", created_at=clock.now())
    session.add_all([old, new])
    session.commit()
    assert anonymise_expired_leads(session, clock.now(), 365) == 1
    session.commit()
    assert (old.name, old.phone) == ("Удалено по 152-ФЗ", None)
    assert (new.name, new.phone) == ("Свежий лид", "+79160000001")
    assert anonymise_expired_leads(session, clock.now(), 365) == 0
