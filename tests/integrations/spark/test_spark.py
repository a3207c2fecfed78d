"""SPARK through zeep and our WSDL against a local SOAP fake: risk indices stored with their date, the
high-risk flag on the card and for other packages, batches in one session; refused logins, timeouts and
malformed reports are logged and never fail anything."""

from __future__ import annotations

import time
from datetime import timedelta
from xml.sax.saxutils import escape

import pytest
from lxml import etree
from sqlalchemy import select

from integrations.spark.checks import SparkCheck, high_risk_clients, refresh
from models.clients.cards import Client
from tests.conftest import csrf_from, login
from tests.integrations.http_fake import FakeServer
from web.scheduler import job_context

NS = "http://interfax.ru/ifax"
COMPANIES = {
    "7707083893": ("ПАО «Риск»", 85, "Высокий риск", 20, "Низкий риск", 35, "Существенные нарушения"),
    "7736050003": ("АО «Надёжный»", 12, "Низкий риск", 5, "Низкий риск", 90, "Своевременно"),
    "7705031674": ("ООО «Средний»", 50, "Средний риск", 40, "Средний риск", 70, "Случаются задержки"),
}


def _report(inn: str) -> str:
    name, ido, ido_d, ifr, ifr_d, ipd, ipd_d = COMPANIES[inn]
    return (
        f"<Response><Data><Report><SparkID>1</SparkID><INN>{inn}</INN><ShortNameRus>{name}</ShortNameRus>"
        f'<Status Type="Действующая"/><IndexOfDueDiligence Index="{ido}" IndexDesc="{ido_d}"/>'
        f'<FailureScore FailureScoreValue="{ifr}" FailureScoreDesc="{ifr_d}"/>'
        f'<PaymentIndex PaymentIndexValue="{ipd}" PaymentIndexDesc="{ipd_d}"/></Report></Data></Response>'
    )


def _envelope(body: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
        f"<soap:Body>{body}</soap:Body></soap:Envelope>"
    ).encode()


class Spark:
    def __init__(self) -> None:
        self.logins = 0
        self.mode = "ok"

    def __call__(self, seen):
        xml = {"Content-Type": "text/xml; charset=utf-8"}
        if self.mode == "slow":
            time.sleep(1.5)
        root = etree.fromstring(seen.body)
        op = root.find("{http://schemas.xmlsoap.org/soap/envelope/}Body")[0]
        name = etree.QName(op).localname
        values = {etree.QName(c).localname: c.text for c in op}
        if name == "Authmethod":
            ok = values.get("Login") == "crm" and values.get("Password") == "pw"
            self.logins += ok
            headers = {**xml, "Set-Cookie": "ASP.NET_SessionId=s1; path=/"} if ok else xml
            return (
                200,
                headers,
                _envelope(
                    f'<AuthmethodResponse xmlns="{NS}"><AuthmethodResult>{ok}'
                    "</AuthmethodResult></AuthmethodResponse>"
                ),
            )
        if name == "End":
            return 200, xml, _envelope(f'<EndResponse xmlns="{NS}"><EndResult>True</EndResult></EndResponse>')
        if "ASP.NET_SessionId=s1" not in seen.headers.get("Cookie", ""):
            return (
                500,
                xml,
                _envelope(
                    "<soap:Fault><faultcode>soap:Client</faultcode>"
                    "<faultstring>Не выполнен вход</faultstring></soap:Fault>"
                ),
            )
        inn = values.get("inn")
        if self.mode == "malformed":
            data, result = "<Response><Data><Report>oops", "True"
        elif inn in COMPANIES:
            data, result = _report(inn), "True"
        else:
            data, result = "", "False"
        return (
            200,
            xml,
            _envelope(
                f'<GetCompanyShortReportResponse xmlns="{NS}"><GetCompanyShortReportResult>{result}'
                f"</GetCompanyShortReportResult><xmlData>{escape(data)}</xmlData>"
                "</GetCompanyShortReportResponse>"
            ),
        )


@pytest.fixture
def spark():
    fake = Spark()
    with FakeServer(fake) as server:
        server.fake = fake
        yield server


@pytest.fixture
def settings_overrides(spark):
    return {
        "spark_url": spark.url + "/IfaxWebService/ifaxwebservice.asmx",
        "spark_login": "crm",
        "spark_password": "pw",
    }


@pytest.fixture
def clients(session, demo_users):
    made = {}
    for inn, (name, *_rest) in COMPANIES.items():
        made[inn] = Client(kind="company", full_name=name, inn=inn, owner=demo_users["manager"])
        session.add(made[inn])
    session.add(
        Client(kind="company", full_name="ООО «Неизвестное»", inn="7702070139", owner=demo_users["manager"])
    )
    session.commit()
    return made


def test_indices_are_stored_with_their_date_and_flag_high_risk(app, client, session, clock, spark, clients):
    risky = clients["7707083893"]
    login(client, "manager")
    card = client.get(f"/clients/{risky.id}").get_data(as_text=True)
    assert "Не проверялся" in card
    asked = client.post(f"/integrations/spark/clients/{risky.id}", data={"csrf_token": csrf_from(card)})
    assert asked.status_code == 302 and spark.requests == []  # the request only queued it

    assert refresh(job_context(app)) == 4  # the queued one, then the other clients with an INN
    assert spark.fake.logins == 1  # one SPARK session for the batch
    check = session.scalars(select(SparkCheck).where(SparkCheck.client_id == risky.id)).one()
    assert (check.status, check.ido, check.ifr, check.ipd, check.high_risk) == ("done", 85, 20, 35, True)
    assert check.fetched_at == clock.now() and check.descriptions["ido"] == "Высокий риск"
    unknown = session.scalars(select(SparkCheck).where(SparkCheck.status == "unknown")).one()
    assert unknown.inn == "7702070139"
    ids = [c.id for c in clients.values()]
    assert high_risk_clients(session, ids) == {risky.id}
    card = client.get(f"/clients/{risky.id}").get_data(as_text=True)
    assert "Высокий риск" in card and "ИДО 85" in card

    assert refresh(job_context(app)) == 0  # fresh: nothing to ask
    clock.advance(timedelta(days=31))
    assert refresh(job_context(app)) == 4  # a month later the indices are refreshed


@pytest.mark.parametrize(
    "mode, password, words",
    [
        ("ok", "wrong", "не принял логин"),
        ("slow", "pw", "не ответил"),
        ("malformed", "pw", "не в формате XML"),
    ],
)
def test_failures_are_logged_and_never_raised(app, client, session, spark, clients, mode, password, words):
    spark.fake.mode = mode
    settings = app.extensions["crm.settings"]
    settings.spark_password = password
    settings.extra["CRM_SPARK_TIMEOUT"] = 0.5
    refresh(job_context(app))
    assert not session.scalars(select(SparkCheck).where(SparkCheck.status == "done")).all()
    login(client, "admin")
    assert words in client.get("/integrations/admin/spark").get_data(as_text=True)
