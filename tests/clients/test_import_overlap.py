"""The import writing chunk k on a writer thread while chunk k + 1 is matched (``overlap=True``).

The outcome must be the one of writing chunk by chunk: every row's outcome and reason, the
clients in the base, the audit actor and reason, and a chunk «update» rows change seen by
the next chunk's rows.
"""

import random
import threading

import pytest
from sqlalchemy import func, select

from models.clients.cards import Client
from models.clients.imports.batches import ImportRow, create_batch, revert_import
from models.clients.imports.run import run_import
from models.platform.audit import AuditLog
from tests.clients.conftest import make_client
from tests.clients.import_files import company_row, to_csv

CHUNK = 5


def _run(session, data, mode, overlap, actor=None, on_chunk=None):
    batch = create_batch(session, actor, data, "clients.csv", mode)
    batch.dry_run = False
    session.commit()
    threads = set()

    def commit(_batch):
        threads.add(threading.current_thread().name)
        if on_chunk:
            on_chunk(_batch)
        session.commit()

    run_import(session, batch, actor, on_chunk=commit, chunk_size=CHUNK, overlap=overlap)
    session.commit()
    batch.threads = threads
    return batch


def _outcomes(session, batch):
    rows = session.execute(select(ImportRow.row_no, ImportRow.outcome, ImportRow.reason)
                           .where(ImportRow.import_id == batch.id).order_by(ImportRow.row_no))
    return [tuple(r) for r in rows]


def _file(session, owner):
    """Rows repeating rows of earlier chunks by INN, phone and name, base duplicates, bad rows."""
    rng = random.Random(15)
    base = make_client(session, owner, "База", phone="+74957770011")
    session.commit()
    rows = []
    for i in range(30):
        rows.append(company_row(rng, f"Новый {i}", f"8 916 {100 + i:03d} 00 00"))
    rows[4] = ["ООО «База»", base.inn, base.kpp, base.ogrn, "", "", "", ""]      # the same as the base
    rows[7] = ["Похожий Сервис", "", "", "", "+7 495 777-00-11", "", "", ""]    # the base's phone
    rows[9] = list(rows[1])                                                      # repeats row 3 (chunk 1)
    rows[13] = ["Звонок Сервис", "", "", "", "8 916 100 00 00", "", "", ""]     # row 2's phone
    rows[16] = list(rows[11])                                                    # the previous chunk
    rows[21] = ["Петров Пётр", "", "", "", "8 903 555 44 33", "", "", ""]       # a person
    rows[27] = ["Петров Пётр", "", "", "", "+7 903 5554433", "", "", ""]        # the same person
    rows[24] = list(rows[0])
    rows[24][1] = rows[24][1][:-1] + str((int(rows[24][1][-1]) + 1) % 10)      # a broken INN
    return to_csv(rows)


@pytest.mark.parametrize("mode", ["skip-duplicates", "create"])
def test_overlapped_import_decides_every_row_as_the_sequential_one(session, demo_users, mode):
    data = _file(session, demo_users["manager"])
    overlapped = _run(session, data, mode, overlap=True)
    assert overlapped.threads == {"client-import-writer_0"}  # the chunks were written on the writer
    first = _outcomes(session, overlapped)
    created = set(session.scalars(select(Client.full_name).where(Client.import_batch_id == overlapped.id)))
    revert_import(session, None, overlapped)
    session.commit()
    sequential = _run(session, data, mode, overlap=False)
    assert sequential.threads == {threading.current_thread().name}
    assert first == _outcomes(session, sequential)
    assert created == set(session.scalars(select(Client.full_name)
                                          .where(Client.import_batch_id == sequential.id)))
    skipped = {row: reason for row, outcome, reason in first if outcome == "skipped"}
    assert skipped[11] == "Повторяет строку 3"  # an earlier chunk's row, matched in memory
    assert skipped[18] == "Повторяет строку 13"
    assert skipped[29] == "Повторяет строку 23"
    counts = (overlapped.created_count, overlapped.skipped_count, overlapped.rejected_count)
    assert counts == ((23, 6, 1) if mode == "skip-duplicates" else (25, 4, 1))


def test_update_rows_in_later_chunks_see_what_earlier_chunks_changed(session, demo_users):
    rng = random.Random(16)
    known = make_client(session, demo_users["manager"], "Гамма", inn="7707083893", kpp="773601001",
                        ogrn="1027700132195", phone="+74950001122")
    session.commit()
    gamma = ["ООО «Гамма»", "7707083893", "773601001", "1027700132195"]
    rows = [company_row(rng, f"Новый {i}") for i in range(12)]
    rows[2] = [*gamma, "8 812 000 11 22", "", "", ""]
    rows[8] = [*gamma, "8 812 000 33 44", "", "", ""]  # the next chunk adds a second phone
    actor = demo_users["backoffice"]
    batch = _run(session, to_csv(rows), "update", overlap=True, actor=actor)
    assert (batch.updated_count, batch.created_count) == (2, 10)
    session.refresh(known)
    assert known.all_phones == ["+74950001122", "+78120001122", "+78120003344"]
    audit = session.scalars(select(AuditLog).where(AuditLog.entity_type == "client",
                                                   AuditLog.entity_id == str(known.id),
                                                   AuditLog.action == "update")).all()
    assert audit
    assert {(a.user_id, a.reason) for a in audit} == {(actor.id, f"Импорт #{batch.id} (clients.csv)")}


def test_a_chunk_failing_on_the_writer_stops_the_import_in_the_callers_thread(session, demo_users):
    rng = random.Random(17)
    data = to_csv([company_row(rng, f"Новый {i}") for i in range(3 * CHUNK)])
    calls = []

    def fail_second(batch):
        calls.append(batch.processed_rows)
        if len(calls) == 2:
            raise RuntimeError("диск переполнен")

    with pytest.raises(RuntimeError, match="диск переполнен"):
        _run(session, data, "create", overlap=True, on_chunk=fail_second)
    session.rollback()
    assert calls == [CHUNK, 2 * CHUNK]  # the third chunk was never written
    assert session.scalar(select(func.count()).select_from(Client)) == CHUNK  # only what was committed


def test_by_default_chunks_overlap_on_postgresql_only(session, demo_users):
    rng = random.Random(18)
    data = to_csv([company_row(rng, f"Новый {i}") for i in range(2 * CHUNK)])
    batch = _run(session, data, "create", overlap=None)
    postgresql = session.get_bind().dialect.name == "postgresql"
    expected = "client-import-writer_0" if postgresql else threading.current_thread().name
    assert batch.threads == {expected}
    assert batch.created_count == 2 * CHUNK
