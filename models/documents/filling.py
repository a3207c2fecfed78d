"""Filling a template from the client and the deal, the Russian way, and rendering the DOCX.

``fill_data`` collects what a document is filled from into plain JSON (strings already
formatted: «1 234 567,89 ₽», «30 ноября 2026 г.», the signatory in the genitive case) —
exactly what is stored with the version, so a version always says what it was made of.
``render`` puts that data into the template's tags with docxtpl (autoescaping, so «ООО
"Ромашка" & Ко» stays text).

Products: one table row per product of the deal; the deal's premium is the row's premium
when the deal has one product (with several, the total only — the deal holds no split).
The discount is the deal's approved/requested one: the premium is after it, the base premium
is premium ÷ (1 − d). VAT: insurance premiums are VAT-free (НК РФ ст. 149 п. 3 пп. 7);
invoices and acts carry the line «Без НДС», other kinds the same text for templates that ask.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

from jinja2 import Environment

from models.clients.cards import Client
from models.documents.kinds import kind_label
from models.documents.russian import (
    acting,
    date_long,
    date_short,
    in_person_of,
    initials,
    money,
    money_words,
    person_genitive,
    position_genitive,
    rounded,
)
from models.documents.tables import ClientDocumentDetails
from models.identity.users import User
from models.sales.deals import Deal

VAT_FREE = "Без НДС (пп. 7 п. 3 ст. 149 НК РФ)"


class Dotted(dict):
    """A dict whose keys are also attributes in templates (``{{ client.inn }}``); missing keys are ''."""

    def __getattr__(self, name: str) -> Any:
        return self.get(name, "")


def _percent(value: Decimal | None) -> str:
    if not value:
        return ""
    text = f"{Decimal(value).quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _signatory(client: Client, details: ClientDocumentDetails | None) -> dict[str, str]:
    name = (details.signatory_name if details and details.signatory_name else client.head_name) or ""
    position = (
        details.signatory_position if details and details.signatory_position else client.head_position
    ) or ""
    return {
        "name": name,
        "position": position,
        "name_genitive": person_genitive(name),
        "position_genitive": position_genitive(position),
        "in_person_of": in_person_of(position, name),
        "initials": initials(name),
        "acting": acting(name),
        "basis": (details.signatory_basis if details and details.signatory_basis else "Устава"),
    }


def _premium(deal: Deal | None, discount: Decimal | None) -> dict[str, str]:
    premium = rounded(deal.premium) if deal is not None and deal.premium is not None else Decimal("0.00")
    base = premium
    if discount and Decimal(discount) < 100:
        base = rounded(premium / (1 - Decimal(discount) / 100))
    return {
        "amount": money(premium),
        "words": money_words(premium),
        "base": money(base),
        "value": str(premium),
        "base_value": str(base),
    }


def _products(deal: Deal | None) -> list[dict[str, str]]:
    if deal is None:
        return []
    lines = list(deal.product_lines or [])
    single = len(lines) == 1
    return [
        {
            "number": str(i),
            "name": name,
            "insured_sum": money(deal.amount) if single and deal.amount is not None else "",
            "premium": money(deal.premium) if single and deal.premium is not None else "",
        }
        for i, name in enumerate(lines, start=1)
    ]


def fill_data(
    *,
    kind: str,
    number: str,
    on: date,
    client: Client,
    deal: Deal | None,
    details: ClientDocumentDetails | None,
    manager: User | None,
    discount: Decimal | None,
) -> dict[str, Any]:
    """Everything a template may ask for, as JSON-ready strings (stored with the version)."""
    premium = _premium(deal, discount)
    base = Decimal(premium["base_value"])
    value = Decimal(premium["value"])
    insured = deal.amount if deal is not None else None
    return {
        "document": {
            "number": number,
            "date": date_long(on),
            "date_short": date_short(on),
            "kind": kind_label(kind),
        },
        "today": date_long(on),
        "client": {
            "name": client.full_name,
            "short_name": client.short_name or client.full_name,
            "inn": client.inn or "",
            "kpp": client.kpp or "",
            "ogrn": client.ogrn or "",
            "address": client.legal_address or "",
            "email": client.email or "",
        },
        "bank": {
            "name": (details.bank_name if details else None) or "",
            "bik": (details.bik if details else None) or "",
            "account": (details.account if details else None) or "",
            "corr_account": (details.corr_account if details else None) or "",
        },
        "signatory": _signatory(client, details),
        "deal": {
            "title": deal.title if deal else "",
            "insured_sum": money(insured),
            "insured_sum_words": money_words(insured) if insured is not None else "",
            "products": ", ".join(deal.product_lines or []) if deal else "",
            "start": date_long(deal.contract_start) if deal else "",
            "end": date_long(deal.contract_end) if deal else "",
        },
        "products": _products(deal),
        "premium": premium,
        "discount": {"percent": _percent(discount), "amount": money(base - value) if discount else ""},
        "vat": {"text": VAT_FREE, "amount": money(0)},
        "total": {"amount": premium["amount"], "words": premium["words"]},
        "manager": {
            "name": manager.full_name if manager else "",
            "email": (manager.email or "") if manager else "",
            "phone": (getattr(manager, "phone", None) or "") if manager else "",
        },
    }


def _dotted(value: Any) -> Any:
    if isinstance(value, dict):
        return Dotted({k: _dotted(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_dotted(v) for v in value]
    return value


def render(template_bytes: bytes, data: dict[str, Any]) -> bytes:
    """The DOCX of ``template_bytes`` filled with ``data`` (checked on upload, so it renders)."""
    from docxtpl import DocxTemplate

    template = DocxTemplate(io.BytesIO(template_bytes))
    template.render({k: _dotted(v) for k, v in data.items()}, jinja_env=Environment(autoescape=True))
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def docx_paragraphs(content: bytes) -> list[str]:
    """The text of a DOCX, paragraph by paragraph (table cells row by row): tests, diffs, the plain view."""
    from docx import Document as WordDocument

    document = WordDocument(io.BytesIO(content))
    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = "".join(t.text or "" for t in child.iter() if t.tag.endswith("}t"))
            lines.append(text)
        elif tag == "tbl":
            for row in child.iter():
                if row.tag.endswith("}tr"):
                    cells = []
                    for cell in row.iterchildren():
                        if cell.tag.endswith("}tc"):
                            cells.append("".join(t.text or "" for t in cell.iter() if t.tag.endswith("}t")))
                    lines.append(" | ".join(cells))
    return [line for line in lines if line.strip()]
