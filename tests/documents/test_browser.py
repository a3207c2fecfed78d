"""Acceptance 1 in Chromium: back office takes a deal and generates a contract (over 5 000 000 ₽), the route
is lawyer + underwriter in parallel then the head; the underwriter returns it for rework, back office uploads
v2 and finishes the rework, both approve v2 (seeing what changed), the head signs off with a code e-mailed
to them and read from our SMTP server; the contract goes out by e-mail (the letter with the DOCX arrives)
and through our fake EDO until «Подписан клиентом».

Screenshots go to ``CRM_TEST_SCREENSHOTS`` when set (else the test's temporary folder).
"""

from __future__ import annotations

import re
import socket
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect

from models.documents.samples import docx_with_paragraphs
from tests.browser import log_in, new_page
from tests.documents.conftest import FORMS, PROCESSES
from tests.documents.fake_edo import TOKEN
from web.scheduler import run_jobs_once

pytestmark = pytest.mark.browser


class _Collector:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


@pytest.fixture
def smtp_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(smtp_port):
    collector = _Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield collector
    controller.stop()


@pytest.fixture
def settings_overrides(tmp_path, fake_edo, smtp_port) -> dict:
    return {
        "forms_dir": FORMS,
        "processes_dir": PROCESSES,
        "base_url": "https://crm.example.ru",
        "edo_url": fake_edo.url,
        "edo_token": TOKEN,
        "edo_timeout": 5.0,
        "smtp_url": f"smtp://127.0.0.1:{smtp_port}",
    }


def _as(chromium, live_url: str, login: str):
    """A page of one person of their own (their own cookies), logged in."""
    page = new_page(chromium, live_url)
    log_in(page, login)
    expect(page.locator("nav.navbar")).to_contain_text("Выйти")
    page.goto("/inbox/")  # these tests work from the inbox; the start page is the role's home
    return page


def _decide(
    page,
    document_id: int,
    decision: str,
    comment: str = "",
    *,
    password: str | None = "demo",
    code: str | None = None,
) -> None:
    page.goto("/documents/approvals")
    page.locator(f"#my-approvals tr[data-document='{document_id}'] a.btn").click()
    page.check(f"#d-{decision}")
    if comment:
        page.fill("#decision-form textarea[name=comment]", comment)
    if decision == "approve":
        if code:
            page.fill("#decision-form input[name=code]", code)
        else:
            page.fill("#decision-form input[name=password]", password or "")
    page.click("#decision-form button")
    expect(page.locator(".alert")).to_contain_text("Решение записано")
    page.context.close()


def test_contract_from_deal_to_signed_by_the_client(
    world, chromium, live_url, app, smtp, fake_edo, shots, tmp_path
):
    world.deploy()
    deal = world.deal(premium="6000000")
    fake_edo.counteragents[deal.client.inn] = "box-romashka@diadoc.ru"

    office = _as(chromium, live_url, "backoffice")
    office.goto(f"/deals/{deal.id}")
    office.select_option("#generate-document select[name=kind]", "contract")
    office.click("#generate-document button")
    expect(office.locator("h1")).to_contain_text("Договор № Д-")
    expect(office.locator(".doc-text")).to_contain_text(
        "в лице Генерального директора Иванова Ивана Ивановича"
    )
    document_id = int(re.search(r"/documents/(\d+)", office.url).group(1))
    office.click("#start-approval button")
    expect(office.locator(".doc-status")).to_have_text("На согласовании")
    office.screenshot(path=str(shots / "documents-1-in-approval.png"), full_page=True)

    _decide(_as(chromium, live_url, "lawyer"), document_id, "approve")
    under = _as(chromium, live_url, "underwriter")
    expect(under.locator("#inbox-my-approvals")).to_contain_text("Мои согласования")
    _decide(under, document_id, "rework", "Укажите франшизу 30 000 ₽ в разделе 3")

    office.goto(f"/documents/{document_id}")
    expect(office.locator(".doc-status")).to_have_text("На доработке")
    v2 = tmp_path / "v2.docx"
    v2.write_bytes(docx_with_paragraphs("Договор страхования, редакция 2", "Франшиза 30 000 ₽"))
    office.set_input_files("#upload-version input[type=file]", str(v2))
    office.fill("#upload-version input[name=comment]", "Франшиза 30 000 ₽")
    office.click("#upload-version button")
    expect(office.locator("#versions tr[data-version='2']")).to_be_visible()
    office.click("#finish-rework")
    office.fill("textarea[name=comment]", "Добавил франшизу")
    office.click("#complete-button")

    lawyer = _as(chromium, live_url, "lawyer")
    lawyer.goto("/documents/approvals")
    lawyer.locator(f"#my-approvals tr[data-document='{document_id}'] a.btn").click()
    expect(lawyer.locator("#changes")).to_contain_text("Франшиза 30 000 ₽")
    lawyer.screenshot(path=str(shots / "documents-2-signoff-changes.png"), full_page=True)
    _decide(lawyer, document_id, "approve")
    _decide(_as(chromium, live_url, "underwriter"), document_id, "approve")

    head = _as(chromium, live_url, "head")
    head.goto("/documents/approvals")
    head.locator(f"#my-approvals tr[data-document='{document_id}'] a.btn").click()
    head.click("#send-code button")
    expect(head.locator(".alert")).to_contain_text("Код отправлен")
    run_jobs_once(app)
    letter = next(m for m in smtp.messages if "Код подтверждения" in m["Subject"])
    code = re.search(r": (\d{6})\n", letter.get_content()).group(1)
    _decide(head, document_id, "approve", code=code)

    office.goto(f"/documents/{document_id}")
    expect(office.locator(".doc-status")).to_have_text("Согласован")
    expect(office.locator("#approvals tr[data-valid='true']")).to_have_count(3)
    office.fill("#send-email input[name=to]", "office@romashka.example")
    office.click("#send-email button")
    expect(office.locator(".doc-status")).to_have_text("Отправлен")
    run_jobs_once(app)
    sent = next(m for m in smtp.messages if m["To"] == "office@romashka.example")
    [attachment] = list(sent.iter_attachments())
    assert attachment.get_filename().endswith(".docx") and attachment.get_content()[:2] == b"PK"

    office.click("#send-edo button")
    run_jobs_once(app)
    message = fake_edo.only_message()
    fake_edo.deliver(message)
    fake_edo.sign(message)
    run_jobs_once(app)
    office.goto(f"/documents/{document_id}")
    expect(office.locator(".doc-status")).to_have_text("Подписан клиентом")
    expect(office.locator("#sendings tr[data-channel='edo']")).to_have_attribute("data-status", "signed")
    office.screenshot(path=str(shots / "documents-3-signed.png"), full_page=True)
    office.goto(f"/documents/{document_id}/sheet")
    expect(office.locator("#sheet")).to_contain_text("кодом из письма")
    office.screenshot(path=str(shots / "documents-4-sheet.png"), full_page=True)
