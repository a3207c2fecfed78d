"""Report results as files: CSV for Excel with Russian defaults, XLSX with typed cells.

Excel in a Russian locale opens a CSV by double-click only if it starts with a UTF-8 BOM and
uses «;» between fields (the comma is the decimal separator), so numbers are written with a
decimal comma and dates as ДД.ММ.ГГГГ. The XLSX keeps real types: money as numbers in the
«# ##0,00 ₽» format, dates as dates, percentages as fractions in the «0,0 %» format.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from models.reports.custom import ReportResult
from models.reports.periods import REPORT_ZONE

MONEY_FORMAT = '#,##0.00 "₽"'
DATE_FORMAT = "DD.MM.YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"
PERCENT_FORMAT = "0.0%"


def _csv_text(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(REPORT_ZONE).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal | float):
        text = f"{Decimal(str(value)).quantize(Decimal('0.01'))}" if kind == "money" else f"{value}"
        return text.replace(".", ",")
    return str(value)


def to_csv(result: ReportResult) -> bytes:
    """UTF-8 with BOM, «;»-separated, decimal comma, ДД.ММ.ГГГГ dates."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.label for c in result.columns])
    for row in result.rows:
        writer.writerow([_csv_text(v, c.type) for v, c in zip(row, result.columns, strict=True)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(value: Any, kind: str) -> tuple[Any, str | None]:
    if value is None:
        return None, None
    if kind == "money":
        return float(value), MONEY_FORMAT
    if kind == "percent":
        return float(value) / 100, PERCENT_FORMAT
    if isinstance(value, datetime):
        return value.astimezone(REPORT_ZONE).replace(tzinfo=None), DATETIME_FORMAT
    if isinstance(value, date):
        return value, DATE_FORMAT
    if isinstance(value, Decimal):
        return float(value), "0.00"
    return value, None


def write_sheet(book: Workbook, title: str, result: ReportResult) -> None:
    """One sheet per result: a bold header row, typed cells, widths fitted to the labels."""
    sheet = book.create_sheet(title[:31])
    sheet.append([c.label for c in result.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(result.rows, start=2):
        for c, (value, column) in enumerate(zip(row, result.columns, strict=True), start=1):
            data, fmt = _cell(value, column.type)
            cell = sheet.cell(row=r, column=c, value=data)
            if fmt:
                cell.number_format = fmt
    for c, column in enumerate(result.columns, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = max(12, min(50, len(column.label) + 4))
    sheet.freeze_panes = "A2"


def to_xlsx(sheets: list[tuple[str, ReportResult]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, result in sheets:
        write_sheet(book, title, result)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
