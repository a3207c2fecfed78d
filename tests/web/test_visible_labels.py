"""Every input a person sees has a visible label, and no page shows «UTC» or an English code (issue 17).

A placeholder disappears as soon as one types and ``aria-label`` is read only by a screen reader,
so neither counts: an input, select or textarea shown on the page needs a ``<label>`` (tied by
``for`` or wrapping it) with text, or ``aria-labelledby`` pointing at text on the page, and that
text must not be ``visually-hidden``. The scan reads the HTML with lxml; hidden inputs, inputs
inside ``hidden``/``d-none`` containers and buttons are skipped.

The same pages are read for codes left untranslated: «UTC» (times are shown in the user's zone),
a role or lead source code («back_office», «site») or a field name in history («stage_id»).
"""

from __future__ import annotations

import re

import pytest
from lxml import html as lxml_html
from sqlalchemy import select

from models.clients.cards import Client
from models.documents.tables import Document
from models.platform.roles import Role
from models.sales.deals import Deal
from models.sales.leads import LEAD_SOURCES, Lead
from models.tasks.adhoc import Task
from tests.conftest import login
from tests.demo_data import load_demo

PAGES = ("/", "/inbox/", "/inbox/tasks/new", "/inbox/templates", "/inbox/notifications", "/clients/",
         "/clients/new", "/clients/import", "/leads/", "/leads/new", "/deals/", "/deals/?view=board",
         "/deals/workload", "/deals/settings", "/discounts/", "/discounts/log", "/documents/",
         "/documents/templates", "/documents/approvals", "/contracts/renewals", "/contracts/import",
         "/contracts/risk-settings", "/reports/", "/reports/plans", "/reports/kpi", "/reports/custom/new",
         "/reports/subscriptions", "/reports/export", "/search/?q=КАСКО", "/collaboration/requests",
         "/collaboration/requests/new", "/quality/", "/quality/violations", "/quality/losses",
         "/insurance/import", "/processes/instances", "/profile/tokens", "/feedback/nps", "/admin/users",
         "/admin/privacy", "/integrations/admin", "/integrations/mail/triage", "/integrations/telegram")
# Each role opens what it may (the homes differ); one demo load serves them all.
ROLES = ("head", "manager", "backoffice", "lawyer", "admin")
_SKIPPED_TYPES = {"hidden", "submit", "button", "reset", "image"}
_INVISIBLE_CLASSES = {"visually-hidden", "sr-only", "d-none"}


def _classes(element) -> set[str]:
    return set((element.get("class") or "").split())


def _shown(element) -> bool:
    """Whether ``element`` and its ancestors are shown (no ``hidden``, no hiding class)."""
    node = element
    while node is not None:
        if node.get("hidden") is not None or _classes(node) & _INVISIBLE_CLASSES:
            return False
        node = node.getparent()
    return True


def _visible_text(element) -> str:
    """The text of ``element`` without its visually hidden parts."""
    if not _shown(element):
        return ""
    parts = [element.text or ""]
    for child in element:
        if not isinstance(child.tag, str):
            parts.append(child.tail or "")
            continue
        if not (_classes(child) & _INVISIBLE_CLASSES) and child.get("hidden") is None:
            parts.append(_visible_text(child) if child.tag not in ("input", "select", "textarea") else "")
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def _has_visible_label(tree, field) -> bool:
    ident = field.get("id")
    if ident and any(_visible_text(label) for label in tree.xpath("//label[@for=$i]", i=ident)):
        return True
    if any(_visible_text(label) for label in field.iterancestors("label")):
        return True
    for ref in (field.get("aria-labelledby") or "").split():
        if any(_visible_text(target) for target in tree.xpath("//*[@id=$i]", i=ref)):
            return True
    return False


def unlabelled(page_html: str) -> list[str]:
    """The inputs, selects and textareas shown without a visible label, as short descriptions."""
    tree = lxml_html.fromstring(page_html)
    found = []
    for field in tree.xpath("//input | //select | //textarea"):
        if field.tag == "input" and (field.get("type") or "text").lower() in _SKIPPED_TYPES:
            continue
        if not _shown(field) or _has_visible_label(tree, field):
            continue
        found.append(f"<{field.tag} name={field.get('name')!r} id={field.get('id')!r}>")
    return found


CODES = {role.value for role in Role} | set(LEAD_SOURCES)
_WORD = re.compile(r"(?<![@\w.:/-])[a-z][a-z0-9]*(?:_[a-z0-9]+)*(?![\w@.:/-])")


def codes_shown(page_html: str) -> list[str]:
    """«UTC», role and lead source codes and snake_case field names in the page's visible text."""
    tree = lxml_html.document_fromstring(page_html)
    for hidden in tree.xpath("//script | //style | //template | //code | //pre | //*[@hidden]"):
        hidden.drop_tree()
    text = " ".join(tree.body.itertext())
    found = ["UTC"] if "UTC" in text else []
    for word in _WORD.findall(text):
        if word in CODES or ("_" in word and not word.startswith("utm_")):  # UTM tags keep their names
            found.append(word)
    return sorted(set(found))


def test_the_code_scan_finds_codes_not_russian_words():
    page = ("<body><p>Источник: site, роль back_office, изменено stage_id, 12:00 UTC</p>"
            "<p>Руководитель, сайт, @manager, info@site.ru</p><script>var a_b = 'head';</script></body>")
    assert codes_shown(page) == ["UTC", "back_office", "site", "stage_id"]


def test_the_scan_tells_visible_labels_from_placeholders():
    page = """<form><label for="a">Имя</label><input id="a" name="a">
      <label class="visually-hidden" for="b">Тема</label><input id="b" name="b" placeholder="Тема">
      <label>Срок <input name="c" type="date"></label>
      <span id="d-label">Сумма</span><input name="d" aria-labelledby="d-label">
      <input name="e" aria-label="Причина"><input type="hidden" name="f"><button>OK</button>
      <div hidden><input name="g"></div></form>"""
    assert unlabelled(page) == ["<input name='b' id='b'>", "<input name='e' id=None>"]


@pytest.fixture
def demo(app):
    load_demo(app)


def _cards(session) -> list[str]:
    newest = select(Deal.id).order_by(Deal.id.desc())
    deals = list(session.scalars(newest.where(Deal.status == "open").limit(2)))
    won = list(session.scalars(newest.where(Deal.status != "open").limit(1)))
    client_id = session.scalars(select(Client.id).order_by(Client.id.desc()).limit(1)).first()
    lead_id = session.scalars(select(Lead.id).order_by(Lead.id.desc()).limit(1)).first()
    task_id = session.scalars(select(Task.id).order_by(Task.id.desc()).limit(1)).first()
    document_id = session.scalars(select(Document.id).order_by(Document.id.desc()).limit(1)).first()
    cards = [f"/deals/{i}" for i in deals + won]
    if client_id:
        cards += [f"/clients/{client_id}", f"/clients/{client_id}/edit", f"/clients/{client_id}/contacts/new",
                  f"/insurance/clients/{client_id}"]
    cards += [f"/leads/{lead_id}"] if lead_id else []
    cards += [f"/inbox/tasks/{task_id}"] if task_id else []
    cards += [f"/documents/{document_id}"] if document_id else []
    return cards


@pytest.mark.page_scan
def test_main_pages_label_every_input_and_show_no_codes(app, session, demo):
    problems: dict[str, list[str]] = {}
    codes: dict[str, list[str]] = {}
    opened: dict[str, int] = {}
    cards = _cards(session)
    for who in ROLES:
        client = app.test_client()
        login(client, who)
        opened[who] = 0
        for url in (*PAGES, *cards):
            answer = client.get(url, follow_redirects=True)
            if answer.status_code != 200 or "text/html" not in answer.content_type:
                continue  # a page this role may not open
            opened[who] += 1
            page = answer.get_data(as_text=True)
            missing = unlabelled(page)
            if missing:
                problems[f"{who} {url}"] = missing
            english = codes_shown(page)
            if english:
                codes[f"{who} {url}"] = english
    assert problems == {}
    assert codes == {}
    assert min(opened.values()) >= 5 and opened["head"] >= 30, opened
