"""Export of a client selection to CSV and XLSX, with the same column names the import reads.

CSV is written for Excel in Russia: UTF-8 with a BOM and semicolons, streamed row by row
so a large selection never sits in memory. XLSX uses openpyxl's write-only mode. An
exported file can be imported back (the headers map onto import fields by themselves).
``csv_download`` and ``xlsx_download`` export what a list filter finds for a user, at most
``EXPORT_LIMIT`` clients, in the list's name order.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from zoneinfo import ZoneInfo

from sqlalchemy import Select
from sqlalchemy.orm import Session, selectinload

from models.clients.cards import Client
from models.clients.search import ClientFilter, filtered_query
from models.identity.users import User

EXPORT_LIMIT = 200_000

EXPORT_COLUMNS = (
    ("Тип клиента", lambda c: c.kind_label),
    ("Полное наименование", lambda c: c.full_name),
    ("Краткое наименование", lambda c: c.short_name),
    ("ИНН", lambda c: c.inn),
    ("КПП", lambda c: c.kpp),
    ("ОГРН", lambda c: c.ogrn),
    ("Юридический адрес", lambda c: c.legal_address),
    ("Почтовый адрес", lambda c: c.postal_address),
    ("Телефон", lambda c: ", ".join(c.all_phones)),
    ("E-mail", lambda c: ", ".join(c.all_emails)),
    ("Отрасль", lambda c: c.industry),
    ("Территория", lambda c: c.territory),
    ("Сегмент", lambda c: c.segment),
    ("Статус", lambda c: c.status_label),
    ("Источник", lambda c: c.source),
    ("Теги", lambda c: ", ".join(c.tags or [])),
    ("Ответственный", lambda c: c.owner.login if c.owner else None),
    ("Руководитель", lambda c: c.head_name),
    ("Примечание", lambda c: c.notes),
)
HEADERS = [name for name, _ in EXPORT_COLUMNS]


def export_row(client: Client) -> list[str]:
    """One client as the cells of an export row, in ``HEADERS`` order."""
    return ["" if (value := get(client)) is None else str(value) for _, get in EXPORT_COLUMNS]


def csv_chunks(clients: Iterable[Client]) -> Iterator[bytes]:
    """The CSV file in pieces (BOM and header first), for a streamed download."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    buffer.write("\ufeff")
    writer.writerow(HEADERS)
    for count, client in enumerate(clients, start=1):
        writer.writerow(export_row(client))
        if count % 500 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_bytes(clients: Iterable[Client]) -> bytes:
    """The selection as an XLSX workbook with one sheet «Клиенты»."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Клиенты")
    sheet.append(HEADERS)
    for client in clients:
        sheet.append(export_row(client))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _selection(session: Session, user: User, flt: ClientFilter, zone: ZoneInfo | None) -> Select:
    stmt = filtered_query(session, user, flt, zone)
    return stmt.order_by(Client.search_name, Client.id).limit(EXPORT_LIMIT).options(
        selectinload(Client.owner))


def csv_download(session: Session, user: User, flt: ClientFilter,
                 zone: ZoneInfo | None = None) -> Iterator[bytes]:
    """The clients ``user`` may see matching ``flt`` as CSV pieces, read lazily while they are sent.

    The query is built now (the user's scope is read in ``session``); the rows are read by
    the returned generator in a read-only session of its own on the same database, because
    a streamed download outlives the request and its session.
    """
    stmt = _selection(session, user, flt, zone).execution_options(yield_per=500)
    bind = session.get_bind()

    def pieces() -> Iterator[bytes]:
        with Session(bind) as reader:
            yield from csv_chunks(reader.scalars(stmt))

    return pieces()


def xlsx_download(session: Session, user: User, flt: ClientFilter, zone: ZoneInfo | None = None) -> bytes:
    """The clients ``user`` may see matching ``flt`` as an XLSX workbook."""
    return xlsx_bytes(session.scalars(_selection(session, user, flt, zone)))
