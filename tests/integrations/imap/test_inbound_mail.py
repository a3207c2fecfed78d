"""Acceptance 3 against a real dovecot: a letter from a demo contact's address appears once on the
client's timeline, threaded with the reply sent from the card and with the client's answer to it;
each message is imported once across restarts (UID + UIDVALIDITY); unknown senders wait in triage."""

from __future__ import annotations

import socket
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from integrations.imap.importer import fetch_job
from integrations.imap.tables import MailFolderState, MailMessage
from models.clients.cards import Client, Contact
from models.sales.activities import Activity
from models.sales.leads import Lead
from tests.conftest import csrf_from, login
from tests.integrations.conftest import deliver
from web import create_app
from web.scheduler import job_context


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


SMTP_PORT = _free_port()


@pytest.fixture
def smtp():
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    yield inbox
    controller.stop()


@pytest.fixture
def settings_overrides(dovecot, mailbox):
    return {
        "imap_urls": dovecot.url(mailbox),
        "smtp_url": f"smtp://127.0.0.1:{SMTP_PORT}",
        "mail_from": "sales@crm.test",
    }


def _letter(
    sender: str,
    to: str,
    subject: str,
    body: str,
    message_id: str,
    *,
    in_reply_to: str | None = None,
    attachment: bytes | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Клиент <{sender}>"
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    msg["Date"] = "Mon, 12 Jan 2026 08:30:00 +0300"
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    msg.set_content(body)
    if attachment:
        msg.add_attachment(attachment, maintype="application", subtype="pdf", filename="Реквизиты.pdf")
    return bytes(msg)


def _fetch(app) -> int:
    return fetch_job(job_context(app))


def _contact(session) -> Contact:
    return session.scalars(select(Contact).where(Contact.email.is_not(None)).order_by(Contact.id)).first()


def test_letter_from_a_contact_appears_once_and_threads_with_the_reply(
    app, client, session, clock, dovecot, mailbox, demo_clients, smtp, tmp_path
):
    contact = _contact(session)
    owner = session.get(Client, contact.client_id).owner
    dovecot.append(
        mailbox,
        _letter(
            contact.email.upper(),
            mailbox,
            "Вопрос по полису",
            "Когда продление?",
            "<q1@client.ru>",
            attachment=b"%PDF-1.4 fake",
        ),
    )
    assert _fetch(app) == 1
    assert _fetch(app) == 0
    # A restart: a new application on the same database reads the mailbox again — nothing new.
    settings = app.extensions["crm.settings"]
    again = create_app(settings, clock=clock)
    assert fetch_job(job_context(again)) == 0

    activities = session.scalars(select(Activity).where(Activity.kind == "email")).all()
    assert len(activities) == 1 and activities[0].client_id == contact.client_id
    letter = session.scalars(select(MailMessage)).one()
    assert letter.contact_id == contact.id and letter.attachments[0].filename == "Реквизиты.pdf"

    login(client, owner.login)
    card = client.get(f"/clients/{contact.client_id}").get_data(as_text=True)
    assert "Вопрос по полису" in card and "Реквизиты.pdf" in card
    download = client.get(f"/integrations/mail/attachments/{letter.attachments[0].id}")
    assert download.status_code == 200 and download.data == b"%PDF-1.4 fake"

    answer = client.post(
        f"/integrations/mail/{letter.id}/reply",
        data={
            "body": "Продление в марте",
            "back": f"/clients/{contact.client_id}",
            "csrf_token": csrf_from(card),
        },
    )
    assert answer.status_code == 302
    assert deliver(app, clock) == 1
    [envelope] = smtp.messages
    sent = envelope.content.decode()
    assert "In-Reply-To: <q1@client.ru>" in sent and "Subject: Re:" in sent
    own_id = session.scalars(select(MailMessage).where(MailMessage.direction == "out")).one().message_id
    assert own_id in sent

    dovecot.append(
        mailbox,
        _letter(
            contact.email,
            mailbox,
            "Re: Re: Вопрос по полису",
            "Спасибо!",
            "<q2@client.ru>",
            in_reply_to=own_id,
        ),
    )
    assert _fetch(app) == 1
    session.expire_all()
    thread = session.scalars(select(MailMessage).order_by(MailMessage.id)).all()
    assert len(thread) == 3 and len({m.thread_key for m in thread}) == 1
    assert {m.activity_id for m in thread} == {activities[0].id}
    assert session.scalar(select(func.count(Activity.id)).where(Activity.kind == "email")) == 1
    card = client.get(f"/clients/{contact.client_id}").get_data(as_text=True)
    assert "писем: 3" in card


def test_a_renumbered_folder_imports_nothing_twice(app, session, dovecot, mailbox, demo_clients):
    contact = _contact(session)
    dovecot.append(mailbox, _letter(contact.email, mailbox, "Один", "1", "<one@client.ru>"))
    assert _fetch(app) == 1
    state = session.scalars(select(MailFolderState)).one()
    state.uidvalidity, state.last_uid = 1, 99  # as if the server had renumbered the folder
    session.commit()
    assert _fetch(app) == 0
    assert session.scalar(select(func.count(MailMessage.id))) == 1
    session.expire_all()
    assert session.scalars(select(MailFolderState)).one().uidvalidity != 1


def test_unknown_senders_wait_in_triage_and_become_a_lead_or_a_linked_thread(
    app, client, session, dovecot, mailbox, demo_clients, demo_users
):
    dovecot.append(
        mailbox, _letter("new@prospect.ru", mailbox, "Хотим страховку", "Позвоните", "<p1@prospect.ru>")
    )
    dovecot.append(mailbox, _letter("other@unknown.ru", mailbox, "Счёт", "Во вложении", "<u1@unknown.ru>"))
    dovecot.append(mailbox, _letter("spam@spam.ru", mailbox, "Реклама", "Купите", "<s1@spam.ru>"))
    assert _fetch(app) == 3
    assert session.scalar(select(func.count(Activity.id))) == 0
    login(client, "manager")
    page = client.get("/integrations/mail/triage").get_data(as_text=True)
    assert "new@prospect.ru" in page and "spam@spam.ru" in page
    token = csrf_from(page)
    ids = {m.from_addr: m.id for m in session.scalars(select(MailMessage))}

    assert (
        client.post(
            f"/integrations/mail/{ids['new@prospect.ru']}/triage",
            data={"action": "lead", "csrf_token": token},
        ).status_code
        == 302
    )
    lead = session.scalars(select(Lead)).one()
    assert lead.email == "new@prospect.ru"

    own = session.scalars(select(Client).where(Client.owner_id == demo_users["manager"].id)).first()
    assert (
        client.post(
            f"/integrations/mail/{ids['other@unknown.ru']}/triage",
            data={"action": "link", "client_id": own.id, "csrf_token": token},
        ).status_code
        == 302
    )
    assert session.scalars(select(Activity)).one().client_id == own.id

    foreign = session.scalars(select(Client).where(Client.owner_id != demo_users["manager"].id)).first()
    refused = client.post(
        f"/integrations/mail/{ids['spam@spam.ru']}/triage",
        data={"action": "link", "client_id": foreign.id, "csrf_token": token},
    )
    assert refused.status_code == 403  # linking needs the right to read the client
    assert (
        client.post(
            f"/integrations/mail/{ids['spam@spam.ru']}/triage", data={"action": "ignore", "csrf_token": token}
        ).status_code
        == 302
    )
    assert "Разбирать нечего" in client.get("/integrations/mail/triage").get_data(as_text=True)


def test_refused_login_and_a_dead_server_are_logged_never_raised(
    app, client, session, dovecot, mailbox, demo_users
):
    settings = app.extensions["crm.settings"]
    settings.imap_urls = (
        dovecot.url(mailbox, password="wrong") + f",imap://x%40y:z@127.0.0.1:{_free_port()}/INBOX"
    )
    assert _fetch(app) == 0
    login(client, "admin")
    page = client.get("/integrations/admin/imap").get_data(as_text=True)
    assert "не принял логин" in page and "недоступен" in page
    settings.imap_urls = dovecot.url(mailbox)
    checked = client.post(
        "/integrations/admin/imap/check", data={"csrf_token": csrf_from(page)}, follow_redirects=True
    )
    assert "UIDVALIDITY" in checked.get_data(as_text=True)
