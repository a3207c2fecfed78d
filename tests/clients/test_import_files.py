"""Reading import files: encodings, separators, broken rows, and files that are not what they claim."""

import random

import pytest

from models.clients.imports.files import ImportFileError, read_table
from tests.clients.import_files import HEADER, company_row, to_csv, to_xlsx


@pytest.mark.parametrize("encoding,delimiter,bom", [
    ("cp1251", ";", False), ("utf-8", ";", True), ("utf-8", ",", False), ("utf-8", "\t", True),
])
def test_encodings_and_separators_are_detected(encoding, delimiter, bom):
    rows = [company_row(random.Random(1), "Ёлка, Ромашка и К°")]
    table = read_table(to_csv(rows, delimiter, encoding, bom=bom), "clients.csv")
    assert table.headers == HEADER and table.delimiter == delimiter
    assert table.encoding == ("windows-1251" if encoding == "cp1251" else "utf-8")
    assert table.rows[0][1][0] == "ООО «Ёлка, Ромашка и К°»"


def test_multiline_quoted_cells_stay_one_row():
    data = 'Наименование;Юридический адрес\r\nООО «Адрес»;"г. Москва,\r\nул. Ленина, 1"\r\n'.encode()
    table = read_table(data, "a.csv")
    assert table.rows == [(2, ["ООО «Адрес»", "г. Москва,\r\nул. Ленина, 1"])]


@pytest.mark.parametrize("data,name,message", [
    (b"", "clients.csv", "Файл пуст"),
    (b"\r\n \r\n", "clients.csv", "Файл пуст"),
    ("Наименование;ИНН\r\n".encode("cp1251"), "clients.csv", "нет ни одной строки с данными"),
    ("Наименование;ИНН\r\nООО «Х»;7707083893\r\n".encode("utf-16"), "clients.csv", "UTF-16"),
    ("Наименование;ИНН\r\nООО Х;7707083893\r\n".encode("koi8-r"), "clients.csv",
     "Не удалось распознать ни одного столбца"),
    (b"Name;INN\r\n\x01\x02\x03;\x04\r\n", "clients.csv", "двоичные данные"),
    ("Наименование;ИНН\r\nООО;1\r\n".encode(), "clients.xlsx", "не является книгой Excel"),
    (b"PK\x03\x04 broken zip", "clients.xlsx", "не является книгой Excel"),
    (b"\xd0\xcf\x11\xe0", "clients.xls", "Старый формат Excel (.xls)"),
    ("Цвет;Вкус\r\nкрасный;сладкий\r\n".encode(), "clients.csv", "Не удалось распознать"),
])
def test_unreadable_files_are_refused_with_the_reason(data, name, message):
    with pytest.raises(ImportFileError) as exc:
        read_table(data, name)
    assert message in str(exc.value)


def test_xlsx_that_is_a_zip_but_not_a_workbook():
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    with pytest.raises(ImportFileError, match="не удалось открыть как книгу Excel"):
        read_table(out.getvalue(), "clients.xlsx")


def test_xlsx_rows_and_empty_lines():
    rng = random.Random(2)
    table = read_table(to_xlsx([company_row(rng, "Один"), [None] * 8, company_row(rng, "Два")]), "c.xlsx")
    assert table.file_format == "xlsx" and [n for n, _ in table.rows] == [2, 4]
