"""The approval sheet («лист согласования») as a DOCX: approvers, decisions, comments, times, hashes."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

from docx import Document as WordDocument
from docx.shared import Pt

from models.documents.kinds import DECISIONS, kind_label
from models.documents.pages import ApprovalSheet


def sheet_docx(sheet: ApprovalSheet, zone: str = "Europe/Moscow") -> bytes:
    tz = ZoneInfo(zone)
    document = sheet.document
    word = WordDocument()
    word.styles["Normal"].font.size = Pt(9)
    word.add_heading("Лист согласования", level=1)
    word.add_paragraph(f"{kind_label(document.kind)} {document.number}: {document.title}")
    word.add_paragraph(
        f"Клиент: {document.client.display_name}. Текущая версия: v{document.current_version}."
    )
    table = word.add_table(rows=1, cols=7)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells,
        ("Этап", "Согласующий", "Решение", "Комментарий", "Когда", "Версия и SHA-256", "Действует"),
        strict=True,
    ):
        cell.text = text
    for row in sheet.rows:
        cells = table.add_row().cells
        values = (
            row.stage_name,
            row.approver.full_name if row.approver else "—",
            DECISIONS.get(row.decision, row.decision),
            row.comment or "",
            row.at.astimezone(tz).strftime("%d.%m.%Y %H:%M"),
            f"v{row.version_number} {row.sha256}",
            "да" if row.valid else "нет (есть новая версия)",
        )
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()
