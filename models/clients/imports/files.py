"""Reading client import files: CSV the way Excel saves it, and XLSX; proposing a column mapping.

CSV comes in UTF-8 (with or without BOM) or Windows-1251, separated by semicolons
(Russian Excel) or commas; both are detected. A row broken by an unclosed quote would make
a CSV reader swallow the rest of the file, so records are read one at a time and a record
spanning more than ``MAX_RECORD_LINES`` lines is reported as broken and reading resumes on
the next line: one bad row never hides the good ones. Files that are not what they claim
(an «.xlsx» that is not a workbook, UTF-16 text, binary data, an empty file) are refused
with a Russian message saying what to do.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

MAX_RECORD_LINES = 20
MAX_COLUMNS = 100
# Bounds of an XLSX upload (issue 14, defect 9): a zip bomb or a sheet of millions of rows is
# refused before openpyxl unpacks it (shared strings are read into memory whole).
MAX_ROWS = 100_000
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200


class ImportFileError(ValueError):
    """The file cannot be read as a table; the message is Russian and says why."""


@dataclass
class Table:
    """A file read as a table: header cells and data rows with their line numbers."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (line or row number in the file, cells)
    broken: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    file_format: str = "csv"
    encoding: str | None = None
    delimiter: str | None = None

    @property
    def total(self) -> int:
        return len(self.rows) + len(self.broken)


# field -> (Russian label, header spellings after normalisation)
IMPORT_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "kind": ("Тип клиента", ("тип", "тип клиента", "вид", "вид клиента", "kind", "type", "client type")),
    "full_name": ("Полное наименование / ФИО", (
        "наименование", "полное наименование", "название", "наименование организации",
        "наименование клиента", "клиент", "организация", "компания", "фио", "name", "full name",
        "company", "company name", "organization", "client")),
    "short_name": ("Краткое наименование", ("краткое наименование", "сокращенное наименование",
                                            "short name", "brand")),
    "inn": ("ИНН", ("инн", "inn", "tax id", "taxpayer id")),
    "kpp": ("КПП", ("кпп", "kpp")),
    "ogrn": ("ОГРН / ОГРНИП", ("огрн", "огрнип", "огрн огрнип", "ogrn", "ogrnip")),
    "legal_address": ("Юридический адрес", ("юридический адрес", "адрес", "юр адрес", "address",
                                            "legal address")),
    "postal_address": ("Почтовый адрес", ("почтовый адрес", "фактический адрес", "postal address")),
    "phones": ("Телефон", ("телефон", "телефоны", "тел", "телефон 2", "телефон2", "доп телефон",
                           "phone", "phones", "phone 2", "tel", "mobile")),
    "emails": ("E-mail", ("e mail", "email", "e mails", "emails", "эл почта", "электронная почта",
                          "почта", "mail")),
    "industry": ("Отрасль", ("отрасль", "industry", "сфера деятельности")),
    "territory": ("Территория", ("территория", "регион", "город", "region", "territory", "city")),
    "segment": ("Сегмент", ("сегмент", "segment")),
    "status": ("Статус", ("статус", "status")),
    "source": ("Источник", ("источник", "source", "lead source")),
    "notes": ("Примечание", ("примечание", "комментарий", "заметки", "notes", "comment")),
    "tags": ("Теги", ("теги", "метки", "tags", "labels")),
    "owner": ("Ответственный", ("ответственный", "менеджер", "owner", "manager", "account manager")),
    "head_name": ("Руководитель", ("руководитель", "директор", "генеральный директор", "ceo",
                                   "director")),
    "contact_name": ("Контактное лицо", ("контактное лицо", "контакт", "фио контакта", "contact",
                                         "contact name", "contact person")),
    "contact_position": ("Должность контакта", ("должность", "должность контакта", "position",
                                                "job title")),
    "contact_phones": ("Телефон контакта", ("телефон контакта", "contact phone")),
    "contact_emails": ("E-mail контакта", ("e mail контакта", "email контакта", "contact email")),
}
_HEADER_RE = re.compile(r"[^\wа-я]+")


def normalize_header(text: str) -> str:
    """A header as compared with known spellings: lower case, «ё» → «е», punctuation as spaces."""
    return " ".join(_HEADER_RE.sub(" ", (text or "").lower().replace("ё", "е")).split())


def propose_mapping(headers: list[str]) -> dict[int, str]:
    """Column index → import field, from Russian and English header names.

    Several columns may feed «phones» or «emails» (Телефон, Телефон 2); other fields take
    the first matching column only.
    """
    lookup = {spelling: name for name, (_label, spellings) in IMPORT_FIELDS.items()
              for spelling in spellings}
    mapping: dict[int, str] = {}
    for index, header in enumerate(headers):
        name = lookup.get(normalize_header(header))
        if name and (name.endswith(("phones", "emails")) or name not in mapping.values()):
            mapping[index] = name
    return mapping


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:4096]:
        raise ImportFileError("Файл в кодировке UTF-16 или не текстовый. Сохраните его из Excel "
                              "как «CSV UTF-8» или «CSV (разделители — точка с запятой)»")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        raise ImportFileError("Не удалось прочитать файл: кодировка не UTF-8 и не Windows-1251") from None
    return text, "windows-1251"


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ";"


def read_csv(data: bytes) -> Table:
    """Read CSV bytes; broken records are collected, not fatal."""
    text, encoding = _decode(data)
    if re.search(r"[\x00-\x08\x0e-\x1f]", text[:4096]):
        raise ImportFileError("Файл не похож на CSV: в нём двоичные данные")
    lines = text.splitlines(keepends=True)
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        raise ImportFileError("Файл пуст")
    delimiter = _delimiter(lines[0])
    headers = next(csv.reader([lines[0]], delimiter=delimiter))
    table = Table([h.strip() for h in headers], [], file_format="csv", encoding=encoding,
                  delimiter=delimiter)
    index = 1
    while index < len(lines):
        reader = csv.reader(lines[index:index + MAX_RECORD_LINES], delimiter=delimiter, strict=True)
        try:
            record = next(reader)
            span = reader.line_num
        except csv.Error as exc:
            table.broken.append((index + 1, f"Строка не разобрана как CSV ({exc}): проверьте кавычки"))
            index += 1
            continue
        if any(cell.strip() for cell in record):
            table.rows.append((index + 1, record))
        index += max(span, 1)
    return table


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _check_unpacked_size(data: bytes, name: str) -> None:
    """Refuse a workbook that would unpack to more than ``MAX_UNPACKED_BYTES`` or that is a bomb.

    ``zipfile`` never yields more than an entry's declared size, so the declared sizes bound
    what openpyxl can unpack.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = archive.infolist()
    unpacked = sum(e.file_size for e in entries)
    packed = sum(e.compress_size for e in entries) or 1
    if unpacked > MAX_UNPACKED_BYTES or unpacked / packed > MAX_COMPRESSION_RATIO:
        raise ImportFileError(f"Файл {name}распаковывается в {unpacked >> 20} МБ — это не похоже на "
                              f"обычную таблицу (предел {MAX_UNPACKED_BYTES >> 20} МБ, сжатие не больше "
                              f"{MAX_COMPRESSION_RATIO} раз): сохраните его как CSV")


def read_xlsx(data: bytes, filename: str = "") -> Table:
    """Read the first sheet of an XLSX workbook."""
    from openpyxl import load_workbook

    name = f"«{filename}» " if filename else ""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportFileError(f"Файл {name}не является книгой Excel (XLSX). Сохраните его в Excel "
                              "как «Книга Excel (*.xlsx)» или как CSV")
    try:
        _check_unpacked_size(data, name)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        raw_rows: list[list[str]] = []
        for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            if len(raw_rows) >= MAX_ROWS:
                raise ImportFileError(f"В файле {name}больше {MAX_ROWS:,} строк: разделите его на части"
                                      .replace(",", " "))
            raw_rows.append([_cell(v) for v in row[:MAX_COLUMNS]])
        book.close()
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError) as exc:
        if isinstance(exc, ImportFileError):
            raise
        raise ImportFileError(f"Файл {name}не удалось открыть как книгу Excel: {exc}") from None
    numbered = [(n, row) for n, row in enumerate(raw_rows, start=1) if any(row)]
    if not numbered:
        raise ImportFileError("Файл пуст")
    (_, headers), data_rows = numbered[0], numbered[1:]
    width = max((i + 1 for i, h in enumerate(headers) if h), default=0)
    rows = [(n, (row + [""] * width)[:width]) for n, row in data_rows]
    return Table(headers[:width], rows, file_format="xlsx")


def read_table(data: bytes, filename: str) -> Table:
    """Read an uploaded file by its content and name; raises ``ImportFileError``."""
    if not data or not data.strip():
        raise ImportFileError("Файл пуст")
    lowered = (filename or "").lower()
    if lowered.endswith(".xls"):
        raise ImportFileError("Старый формат Excel (.xls) не поддерживается: сохраните файл как "
                              ".xlsx или CSV")
    if lowered.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        table = read_xlsx(data, filename)
    else:
        table = read_csv(data)
    if not table.total:
        raise ImportFileError("В файле есть заголовок, но нет ни одной строки с данными")
    if not propose_mapping(table.headers):
        raise ImportFileError("Не удалось распознать ни одного столбца. Нужна строка заголовков "
                              "(«Наименование», «ИНН», «Телефон»…); проверьте также кодировку "
                              "(UTF-8 или Windows-1251) и разделитель")
    return table
