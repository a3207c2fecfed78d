"""Acceptance 2 on the demo data: the contract generated for a demo deal carries the client's INN, KPP and
bank details, the amount in figures and in words, a Russian date and the signatory in the genitive case;
the demo seed loads templates, details and documents once."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from models.clients.requisites import correspondent_account_error, settlement_account_error
from models.documents.documents import load_version
from models.documents.filling import docx_paragraphs
from models.documents.russian import date_long, in_person_of, money, money_words
from models.documents.tables import ClientDocumentDetails, Document, DocumentTemplate
from tests.demo_data import load_demo, suite_settings  # noqa: F401  (the suite's settings)
from web.cli import cli


def _run(app, *args):
    result = app.test_cli_runner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result


def test_demo_contract_carries_the_russian_requisites(app, session, clock):
    load_demo(app)  # `crm deploy` and `crm demo` (or the worker's copy of what they stored)
    assert session.scalar(select(func.count(DocumentTemplate.id))) == 3
    assert session.scalar(select(func.count(Document.id))) == 5
    documents = session.scalars(select(Document).order_by(Document.id)).all()
    assert [(d.kind, d.status) for d in documents[:3]] == [
        ("contract", "draft"), ("contract", "in_approval"), ("offer", "in_approval")]  # КП: the senior
    large, returned = documents[3:]  # past the lawyer and underwriter, at the head; sent back for rework
    assert large.kind == "contract" and large.amount > 5_000_000 and large.status == "in_approval"
    assert returned.kind == "contract" and returned.amount <= 5_000_000
    document = documents[0]
    client, deal = document.client, document.deal
    details = session.get(ClientDocumentDetails, client.id)
    assert settlement_account_error(details.account, details.bik) is None
    assert correspondent_account_error(details.corr_account, details.bik) is None
    text = "\n".join(docx_paragraphs(load_version(session, document).content))
    assert f"ИНН {client.inn}, КПП {client.kpp}" in text
    assert f"БИК {details.bik}, р/с {details.account}, к/с {details.corr_account}" in text
    assert f"Страховая премия составляет {money(deal.premium)} ({money_words(deal.premium)})" in text
    assert date_long(clock.now().date()) in text
    assert f"в лице {in_person_of(details.signatory_position, details.signatory_name)}, действу" in text
    assert (
        in_person_of(details.signatory_position, details.signatory_name)
        != f"{details.signatory_position} {details.signatory_name}"
    )
    again = json.loads(_run(app, "demo", "--json").stdout)["created"]
    assert again.get("document_templates", 0) == 0
