"""Builders of import files for the tests (CSV in several encodings, XLSX)."""

from __future__ import annotations

import io
import random

from models.clients.requisites import make_inn10, make_kpp, make_ogrn

HEADER = ["Наименование", "ИНН", "КПП", "ОГРН", "Телефон", "E-mail", "Контактное лицо", "Должность"]


def company_row(rng: random.Random, name: str, phone: str = "", email: str = "",
                contact: str = "", position: str = "") -> list[str]:
    return [f"ООО «{name}»", make_inn10(rng), make_kpp(), make_ogrn(rng), phone, email, contact, position]


def to_csv(rows: list[list[str]], delimiter: str = ";", encoding: str = "cp1251",
           header: list[str] | None = None, bom: bool = False) -> bytes:
    lines = [delimiter.join(header or HEADER)]
    for row in rows:
        cells = [f'"{c}"' if delimiter in c or '"' in c else c for c in row]
        lines.append(delimiter.join(cells))
    text = "\r\n".join(lines) + "\r\n"
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def to_xlsx(rows: list[list[object]], header: list[str] | None = None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header or HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
