"""Defect 9: XLSX and XML bombs are refused quickly with a clear message; a file field of a
process form takes only what the form page stored, never a path typed into the API."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from engine.xml_safety import UnsafeXml, parse_xml
from models.clients.imports.files import MAX_ROWS, ImportFileError, read_table
from tests.hardening.conftest import bearer, start_callback


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_an_xlsx_zip_bomb_is_refused_before_unpacking():
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "xl/sharedStrings.xml": b"<sst>" + b"A" * 30_000_000})
    assert len(bomb) < 100_000
    with pytest.raises(ImportFileError, match="распаковывается в 28 МБ"):
        read_table(bomb, "bomb.xlsx")


def test_an_xlsx_with_too_many_rows_is_refused():
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["ИНН", "Название"])
    for n in range(MAX_ROWS + 1):
        sheet.append([n])
    data = io.BytesIO()
    book.save(data)
    with pytest.raises(ImportFileError, match="больше 100 000 строк"):
        read_table(data.getvalue(), "many.xlsx")


def test_a_huge_xml_text_node_is_named_as_such():
    with pytest.raises(UnsafeXml, match="слишком большой текстовый узел"):
        parse_xml(b"<definitions><documentation>" + b"x" * 20_000_000 + b"</documentation></definitions>")


@pytest.mark.parametrize("path", ["../../etc/passwd", "/etc/passwd", "uploads/../secret_key",
                                  "uploads/0123456789abcdef/../../secret_key", "uploads/x/y.pdf"])
def test_a_file_field_refuses_paths_typed_into_the_api(app, client, session, clock, deployed, tokens, path):
    task = start_callback(app, session, clock, assignee="manager")
    answer = client.post(f"/api/v1/tasks/process/{task.id}/complete", headers=bearer(tokens["manager"]),
                         json={"data": {"outcome": "reached", "call_date": "2026-01-12", "attachment": path}})
    assert answer.status_code == 422
    assert answer.get_json()["error"]["fields"]["attachment"] == [
        "Файл прикладывается загрузкой на странице задачи; путь к файлу не принимается"]
