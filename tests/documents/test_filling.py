"""Acceptance 2: the generated DOCX of a demo deal carries the Russian conventions (opened and read)."""

from __future__ import annotations

import hashlib
import io
from datetime import date
from decimal import Decimal

from docx import Document as WordDocument

from models.documents.documents import load_version
from models.documents.filling import docx_paragraphs
from models.documents.russian import date_long, in_person_of, money, money_words


def test_generated_contract_contains_requisites_amounts_in_words_date_and_genitive(world):
    deal = world.deal(premium="1234567.885")
    document = world.generate(deal)
    version = load_version(world.session, document)
    text = "\n".join(docx_paragraphs(version.content))
    client = deal.client
    assert f"ИНН {client.inn}, КПП {client.kpp}" in text
    assert "Банк: ПАО Сбербанк, БИК 044525225, р/с 40702810938000000001, к/с 30101810400000000225" in text
    # rounded half-up to kopecks first: 1 234 567,885 → 1 234 567,89
    assert (
        "Страховая премия составляет 1\u00a0234\u00a0567,89\u00a0₽ (один миллион двести тридцать четыре "
        "тысячи пятьсот шестьдесят семь рублей 89 копеек)"
    ) in text
    today = world.clock.now().date()
    assert f"г. Москва, {date_long(today)}" in text
    assert date_long(date(2026, 11, 30)) == "30 ноября 2026 г."
    assert "в лице Генерального директора Иванова Ивана Ивановича, действующего на основании Устава" in text
    assert f"Договор страхования № {document.number}" in text
    assert "1 | КАСКО | 40\u00a0000\u00a0000,00\u00a0₽ | 1\u00a0234\u00a0567,89\u00a0₽" in text
    # the version is immutable with its hash and the data it was filled from
    assert version.sha256 == hashlib.sha256(version.content).hexdigest()
    assert version.data["client"]["inn"] == client.inn
    assert version.author_id == world.users["backoffice"].id
    WordDocument(io.BytesIO(version.content))  # opens as a Word document


def test_a_woman_signatory_is_declined_as_a_woman():
    assert (
        in_person_of("Финансовый директор", "Петрова Анна Сергеевна")
        == "Финансового директора Петровой Анны Сергеевны"
    )
    assert in_person_of("Управляющий", "Сидоренко Пётр Ильич") == "Управляющего Сидоренко Петра Ильича"


def test_money_in_figures_and_words():
    assert money(Decimal("1234567.885")) == "1\u00a0234\u00a0567,89\u00a0₽"
    assert money_words(Decimal("0.5")) == "ноль рублей 50 копеек"
    assert money_words(Decimal("21")) == "двадцать один рубль 00 копеек"
    assert money_words(Decimal("2.01")) == "два рубля 01 копейка"


def test_numbers_go_per_kind_and_year(world):
    deal = world.deal()
    first, second = world.generate(deal), world.generate(deal)
    offer = world.generate(deal, "offer")
    year = world.clock.now().year
    assert (first.number, second.number) == (f"Д-{year}-0001", f"Д-{year}-0002")
    assert offer.number == f"КП-{year}-0001"
