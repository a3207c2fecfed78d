"""The starter templates (contract, КП, invoice) built with python-docx: demo data, tests and the benchmark.

They are what back office would upload: ordinary DOCX files with docxtpl tags, each tag typed
in one run. The contract runs to two pages (the benchmark's «two-page contract»).
"""

from __future__ import annotations

import io

from docx import Document as WordDocument
from docx.shared import Pt

CONTRACT_TERMS = (
    "Страховщик обязуется за обусловленную настоящим договором плату (страховую премию) при "
    "наступлении предусмотренного договором события (страхового случая) возместить Страхователю "
    "причинённые вследствие этого события убытки в застрахованном имуществе в пределах "
    "определённой договором страховой суммы."
)


def _table(doc, header: tuple[str, ...], cells: tuple[str, ...]) -> None:
    table = doc.add_table(rows=4, cols=len(header))
    table.style = "Table Grid"
    for i, text in enumerate(header):
        table.cell(0, i).text = text
    table.cell(1, 0).text = "{%tr for row in products %}"
    for i, text in enumerate(cells):
        table.cell(2, i).text = text
    table.cell(3, 0).text = "{%tr endfor %}"


def _bytes(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def contract_template() -> bytes:
    doc = WordDocument()
    doc.styles["Normal"].font.size = Pt(11)
    doc.add_heading("Договор страхования № {{ document.number }}", level=1)
    doc.add_paragraph("г. Москва, {{ document.date }}")
    doc.add_paragraph(
        "{{ client.name }} (ИНН {{ client.inn }}, КПП {{ client.kpp }}), именуемое в дальнейшем "
        "«Страхователь», в лице {{ signatory.in_person_of }}, {{ signatory.acting }} на основании "
        "{{ signatory.basis }}, с одной стороны, и страховой брокер, с другой стороны, заключили "
        "настоящий договор о нижеследующем."
    )
    doc.add_heading("1. Предмет договора", level=2)
    for _ in range(3):
        doc.add_paragraph(CONTRACT_TERMS)
    doc.add_heading("2. Страховые продукты", level=2)
    _table(
        doc,
        ("№", "Продукт", "Страховая сумма", "Премия"),
        ("{{ row.number }}", "{{ row.name }}", "{{ row.insured_sum }}", "{{ row.premium }}"),
    )
    doc.add_heading("3. Страховая премия", level=2)
    doc.add_paragraph("Страховая сумма: {{ deal.insured_sum }} ({{ deal.insured_sum_words }}).")
    doc.add_paragraph(
        "Страховая премия составляет {{ premium.amount }} ({{ premium.words }}). {{ vat.text }}."
    )
    doc.add_paragraph(
        "{% if discount.percent %}Премия указана с учётом скидки {{ discount.percent }} % "
        "({{ discount.amount }}).{% endif %}"
    )
    doc.add_heading("4. Срок действия", level=2)
    doc.add_paragraph("Договор действует с {{ deal.start }} по {{ deal.end }}.")
    for _ in range(3):
        doc.add_paragraph(CONTRACT_TERMS)
    doc.add_heading("5. Реквизиты и подписи сторон", level=2)
    doc.add_paragraph("Страхователь: {{ client.name }}, ОГРН {{ client.ogrn }}, адрес: {{ client.address }}")
    doc.add_paragraph(
        "Банк: {{ bank.name }}, БИК {{ bank.bik }}, р/с {{ bank.account }}, к/с {{ bank.corr_account }}"
    )
    doc.add_paragraph("{{ signatory.position }} _______________ {{ signatory.initials }}")
    doc.add_paragraph("Менеджер: {{ manager.name }}, {{ manager.email }}")
    return _bytes(doc)


def offer_template() -> bytes:
    doc = WordDocument()
    doc.add_heading("Коммерческое предложение № {{ document.number }} от {{ document.date }}", level=1)
    doc.add_paragraph("Для: {{ client.name }}, ИНН {{ client.inn }}")
    _table(
        doc,
        ("№", "Продукт", "Страховая сумма", "Премия"),
        ("{{ row.number }}", "{{ row.name }}", "{{ row.insured_sum }}", "{{ row.premium }}"),
    )
    doc.add_paragraph(
        "Премия по тарифу: {{ premium.base }}. Скидка: {{ discount.percent }} % ({{ discount.amount }})."
    )
    doc.add_paragraph("Итого премия: {{ premium.amount }} ({{ premium.words }}).")
    doc.add_paragraph("Ваш менеджер: {{ manager.name }}, {{ manager.phone }}, {{ manager.email }}")
    return _bytes(doc)


def invoice_template() -> bytes:
    doc = WordDocument()
    doc.add_heading("Счёт № {{ document.number }} от {{ document.date }}", level=1)
    doc.add_paragraph("Плательщик: {{ client.name }}, ИНН {{ client.inn }}, КПП {{ client.kpp }}")
    doc.add_paragraph("Сумма: {{ total.amount }} ({{ total.words }}). {{ vat.text }}: {{ vat.amount }}.")
    return _bytes(doc)


def docx_with_paragraphs(*paragraphs: str) -> bytes:
    """A DOCX whose body is these paragraphs (tests of checks and diffs)."""
    doc = WordDocument()
    for text in paragraphs:
        doc.add_paragraph(text)
    return _bytes(doc)


SAMPLES = {
    "contract": ("Договор страхования (типовой)", contract_template),
    "offer": ("Коммерческое предложение (типовое)", offer_template),
    "invoice": ("Счёт на оплату (типовой)", invoice_template),
}
