"""Client base at scale: search, list and duplicate-check latency, and import rate.

Generates ``--rows`` clients (default 1,000,000; checksum-valid INN/OGRN from
``models.clients.requisites``, half of them with a contact) into a SQLite file and into a
PostgreSQL database ``crm_bench_clients`` (both set up by ``bench.common.deployed_app`` and
removed afterwards), then measures with the application's own functions:

* p50/p95 of search by INN, by phone (in varying spellings), by e-mail, by a name
  fragment, of a filtered list page (manager/senior/admin scopes, filters, sorts, page 1
  and 2) and of the duplicate check of a new card — target p95 < 50 ms;
* the rate of a 100,000-row CSV import (Windows-1251, with invalid rows, duplicates of
  the base and repeats inside the file, «skip-duplicates» mode) — target ≥ 5,000 rows/s,
  each row's outcome checked against the generated file and every new card against the BI
  feed's change marks; the CPU seconds of the bench process (and of the PostgreSQL backends,
  read from ``/proc``) are printed too, a figure other programs' load barely changes.

Every figure is printed next to its target with the ratio (measured / target for
latencies, target / measured for the rate: below 1.0 is within target). Bulk loading
uses executemany (SQLite) and COPY (PostgreSQL) with secondary indexes built after the
load, then ANALYZE, as a DBA would load a base this size.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from bench._import_costs import backend_cpu, copy_of, run_delay
from bench.common import check, deployed_app, on_both_databases, sabotaged
from models.clients.cards import Client
from models.clients.duplicates import Probe, find_duplicates
from models.clients.imports.batches import create_batch
from models.clients.imports.run import run_import
from models.clients.names import name_suffixes, search_name
from models.clients.phones import normalize_phone
from models.clients.requisites import make_inn10, make_kpp, make_ogrn
from models.clients.search import ClientFilter, search_page
from models.identity.users import Department, User
from models.platform.db import db
from models.reports.tables import ChangeMark

PG_DB = "crm_bench_clients"
LATENCY_TARGET_MS = 50.0
IMPORT_TARGET = 5000.0
SYLLABLES = ("ка", "ро", "ма", "тех", "но", "пром", "снаб", "вол", "га", "ур", "ал", "сиб", "ир",
             "нев", "лог", "ист", "гра", "нит", "век", "тор", "аль", "фа", "стр", "ой", "инв", "ест",
             "мед", "агро", "энер", "го", "бал", "тик", "сер", "вис", "тран", "зит", "лин", "ком")
FORMS = (("ООО", "Общество с ограниченной ответственностью"), ("АО", "Акционерное общество"))
TERRITORIES = ("Москва", "Санкт-Петербург", "Новосибирск", "Екатеринбург", "Казань", "Краснодар",
               "Самара", "Омск", "Пермь", "Уфа")
INDUSTRIES = ("Логистика", "Строительство", "Торговля", "Производство", "ИТ", "Энергетика",
              "Медицина", "Финансы")
FIRST = ("Александр", "Дмитрий", "Сергей", "Ольга", "Анна", "Ирина", "Павел", "Юлия", "Максим")
LAST = ("Иванов", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов", "Новиков")
CLIENT_COLUMNS = ("id", "kind", "full_name", "short_name", "inn", "kpp", "ogrn", "phone", "email",
                  "industry", "territory", "segment", "status", "tags", "owner_id", "created_at",
                  "updated_at", "search_name")


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randrange(2, 5)))


class Data:
    """The generated base, kept in memory so both databases get the same rows."""

    def __init__(self, rows: int, owners: list[int], seed: int = 2026) -> None:
        rng = random.Random(seed)
        start = datetime(2021, 1, 1, tzinfo=UTC)
        self.clients: list[tuple] = []
        self.contacts: list[tuple] = []
        self.points: list[tuple] = []
        self.tokens: list[tuple] = []
        for i in range(1, rows + 1):
            short, long = FORMS[i % 2]
            core = _word(rng).capitalize() + ("" if i % 3 else " " + _word(rng).capitalize())
            name = f"{short} «{core}»"
            phone = f"+79{rng.randrange(10**9):09d}"
            email = f"info{i}@{_word(rng)}.ru"
            sname = search_name(f"{long} «{core}»", name)
            created = start + timedelta(minutes=i * 2)
            self.clients.append((i, "company", f"{long} «{core}»", name, make_inn10(rng), make_kpp(),
                                 make_ogrn(rng), phone, email, rng.choice(INDUSTRIES),
                                 rng.choice(TERRITORIES), "Средний", "active", "[]",
                                 owners[i % len(owners)], created, created, sname))
            self.points += [(i, None, "phone", phone), (i, None, "email", email)]
            self.tokens += [(t, i, 0) for t in name_suffixes(sname)]
            if i % 2 == 0:
                person = f"{rng.choice(LAST)} {rng.choice(FIRST)}"
                cphone = f"+79{rng.randrange(10**9):09d}"
                cid = len(self.contacts) + 1
                self.contacts.append((cid, i, person, False, cphone, created, search_name(person)))
                self.points.append((i, cid, "phone", cphone))
                self.tokens += [(t, i, cid) for t in name_suffixes(search_name(person))]


def _chunks(rows: list[tuple], size: int = 50_000) -> Iterator[list[tuple]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _load_sqlite(engine, data: Data) -> None:
    raw = engine.raw_connection()
    cur = raw.cursor()
    tables = ("client", "contact", "client_contact_point")
    indexes = cur.execute("SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
                          f"AND tbl_name IN {tables}").fetchall()
    for name, _sql in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    cur.execute("PRAGMA synchronous=OFF")
    marks = ",".join("?" * len(CLIENT_COLUMNS))
    for chunk in _chunks([(*c[:15], c[15].isoformat(), c[16].isoformat(), c[17]) for c in data.clients]):
        cur.executemany(f"INSERT INTO client ({','.join(CLIENT_COLUMNS)}) VALUES ({marks})", chunk)
    cur.executemany("INSERT INTO contact (id, client_id, full_name, is_decision_maker, phone, created_at, "
                    "search_name) VALUES (?,?,?,?,?,?,?)",
                    [(*c[:5], c[5].isoformat(), c[6]) for c in data.contacts])
    cur.executemany("INSERT INTO client_contact_point (client_id, contact_id, kind, value) VALUES (?,?,?,?)",
                    data.points)
    for chunk in _chunks(sorted(data.tokens), 500_000):
        cur.executemany("INSERT OR IGNORE INTO client_name_token (token, client_id, contact_id) "
                        "VALUES (?,?,?)", chunk)
    raw.commit()
    for _name, sql in indexes:
        cur.execute(sql)
    cur.execute("PRAGMA analysis_limit=0")
    cur.execute("ANALYZE")
    cur.execute("PRAGMA synchronous=NORMAL")
    raw.commit()
    raw.close()


def _load_postgres(engine, data: Data) -> None:
    raw = engine.raw_connection()
    cur = raw.cursor()
    tables = ["client", "contact", "client_contact_point"]
    cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
                "AND indexname NOT LIKE 'pk_%%'", (tables,))
    indexes = cur.fetchall()
    for name, _sql in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    with cur.copy(f"COPY client ({','.join(CLIENT_COLUMNS)}) FROM STDIN") as copy:
        for row in data.clients:
            copy.write_row(row)
    with cur.copy("COPY contact (id, client_id, full_name, is_decision_maker, phone, created_at, "
                  "search_name) FROM STDIN") as copy:
        for row in data.contacts:
            copy.write_row(row)
    with cur.copy("COPY client_contact_point (client_id, contact_id, kind, value) FROM STDIN") as copy:
        for row in data.points:
            copy.write_row(row)
    for table in ("client", "contact", "client_contact_point"):
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    raw.commit()
    cur.execute("SET maintenance_work_mem = '512MB'")
    for _name, sql in indexes:
        cur.execute(sql)
    raw.commit()
    raw.close()
    with psycopg.connect(engine.url.set(drivername="postgresql").render_as_string(hide_password=False),
                         autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE client, contact, client_contact_point")


def _owners(session: Session, extra: int = 40) -> list[int]:
    """Managers to own the generated clients (the demo users are there already)."""
    sales = session.scalar(select(Department).where(Department.code == "sales"))
    for i in range(extra):
        session.add(User(login=f"bench{i}", full_name=f"Менеджер {i}", role="manager", department=sales,
                         password_hash="bench"))
    session.flush()
    return list(session.scalars(select(User.id).where(User.role.in_(("manager", "senior_manager")))))


def _timed(session: Session, calls: list[Callable[[], object]]) -> list[float]:
    samples = []
    for call in calls:
        session.expire_all()
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _spell(phone: str, rng: random.Random) -> str:
    d = phone[2:]
    return rng.choice((f"8 ({d[:3]}) {d[3:6]}-{d[6:8]}-{d[8:]}", f"+7 {d[:3]} {d[3:]}", f"8{d}", phone))


def _fragment(sname: str, rng: random.Random) -> str:
    word = max(sname.split(), key=len)
    size = min(len(word), rng.randrange(4, 7))
    start = rng.randrange(0, len(word) - size + 1)
    return word[start:start + size]


def _search_calls(session: Session, data: Data, users: dict[str, User], count: int) -> dict[str, list]:
    rng = random.Random(5)
    admin = users["admin"]
    picks = [rng.choice(data.clients) for _ in range(count)]

    def page(user: User, **args: str) -> Callable[[], object]:
        return lambda: search_page(session, user, ClientFilter.from_args(args))

    def two_pages(user: User, args: dict) -> Callable[[], object]:
        def run() -> None:
            first = search_page(session, user, ClientFilter.from_args(args))
            if first.next_cursor:
                search_page(session, user, ClientFilter.from_args({**args, "cursor": first.next_cursor}))
        return run

    lists = []
    for i, c in enumerate(picks):
        user = (users["manager"], users["senior"], admin)[i % 3]
        args = rng.choice(({"territory": c[10]}, {"industry": c[9], "kind": "company"},
                           {"status": "active"}, {}, {"territory": c[10], "industry": c[9]}))
        lists.append(two_pages(user, {**args, "sort": rng.choice(("name", "-created", "created"))}))
    duplicates = []
    for c in picks:
        values = {"full_name": c[3].replace("»", "").replace("«", "") + rng.choice(("", " плюс", "c")),
                  "inn": make_inn10(rng), "kpp": c[5], "phones": rng.choice((c[7], "+74950000000"))}
        duplicates.append(lambda v=values: find_duplicates(session, Probe.from_values(v)))
    return {
        "search by INN": [page(admin, q=c[4]) for c in picks],
        "search by phone": [page(admin, q=_spell(c[7], rng)) for c in picks],
        "search by e-mail": [page(admin, q=c[8].upper()) for c in picks],
        "search by name fragment": [page(admin, q=_fragment(c[17], rng)) for c in picks],
        "filtered list page (2 pages)": lists,
        "duplicate check, new card": duplicates,
    }


def _import_file(data: Data, rows: int, seed: int = 9) -> tuple[bytes, dict[str, int]]:
    """The CSV to import and what must become of its rows (created, skipped, rejected)."""
    rng = random.Random(seed)
    lines = ["Наименование;ИНН;КПП;ОГРН;Телефон;E-mail;Территория"]
    made: list[tuple[str, str]] = []  # (line, outcome of its first occurrence)
    used: set[str] = set()  # INNs of the file's new rows: a repeated INN would be a repeated client
    expected = {"created": 0, "skipped": 0, "rejected": 0}
    for i in range(rows):
        roll = rng.random()
        if roll < 0.04:  # a client already in the base
            c = rng.choice(data.clients)
            lines.append(f"{c[3]};{c[4]};{c[5]};{c[6]};{c[7]};{c[8]};{c[10]}")
            # The base was loaded without checks: a phone outside the numbering plan is refused.
            expected["skipped" if normalize_phone(c[7]) else "rejected"] += 1
        elif roll < 0.07 and made:  # a repeat of an earlier row of the file
            line, first = rng.choice(made)
            lines.append(line)
            expected["rejected" if first == "rejected" else "skipped"] += 1
        else:
            inn = make_inn10(rng, "50")
            while inn in used:
                inn = make_inn10(rng, "50")
            used.add(inn)
            outcome = "created"
            if roll > 0.97:
                inn = inn[:-1] + str((int(inn[-1]) + 1) % 10)  # broken checksum
                outcome = "rejected"
            phone = ""
            while normalize_phone(phone) is None:  # a few 9xx ranges are not in the numbering plan
                phone = (f"8 (9{rng.randrange(10**2):02d}) {rng.randrange(10**3):03d}-"
                         f"{rng.randrange(10**4):04d}")
            line = (f"ООО «Импорт {_word(rng).capitalize()} {i}»;{inn};500101001;{make_ogrn(rng, '50')};"
                    f"{phone};new{i}@import.ru;{rng.choice(TERRITORIES)}")
            made.append((line, outcome))
            lines.append(line)
            expected[outcome] += 1
    return ("\r\n".join(lines) + "\r\n").encode("cp1251"), expected


def _report(name: str, samples: list[float]) -> str:
    q = statistics.quantiles(samples, n=100)
    p50, p95 = statistics.median(samples), q[94]
    verdict = "ok" if p95 < LATENCY_TARGET_MS else "SLOWER THAN TARGET"
    return (f"  {name:<30} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms   target p95 < {LATENCY_TARGET_MS:.0f} ms"
            f"   ratio {p95 / LATENCY_TARGET_MS:5.2f}  {verdict}")


def _import(session: Session, csv_data: bytes, expected: dict[str, int], rows: int,
            overlap: bool | None = None) -> None:
    """Time the import of the generated file, check each outcome, print the rate."""
    batch = create_batch(session, None, csv_data, "bench.csv", "skip-duplicates")
    batch.dry_run = False
    session.commit()
    backends = backend_cpu(session)
    cpu, started, queued = time.process_time(), time.perf_counter(), run_delay()
    run_import(session, batch, None, on_chunk=lambda _b: session.commit(), overlap=overlap)
    session.commit()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    queued = run_delay() - queued
    after = backend_cpu(session) if backends is not None else None
    server = None if after is None else sum(v - (backends or {}).get(pid, 0.0) for pid, v in after.items())
    if sabotaged():  # one imported card is renamed behind the import's back: the check must notice
        session.execute(text("UPDATE client SET full_name = 'Испорчено' WHERE id = "
                             "(SELECT MAX(id) FROM client WHERE full_name LIKE 'ООО «Импорт %')"))
    got = {"created": batch.created_count, "skipped": batch.skipped_count, "rejected": batch.rejected_count}
    stored = session.scalar(select(func.count(Client.id)).where(Client.full_name.like("ООО «Импорт %")))
    marked = session.scalar(select(func.count()).select_from(ChangeMark).join(
        Client, (ChangeMark.entity == "clients") & (ChangeMark.record_id == Client.id))
        .where(Client.import_batch_id == batch.id))
    check(got == expected and stored == expected["created"] and marked == stored,
          f"импорт: {got}, в базе {stored} новых карточек ({marked} в ленте изменений), ждали {expected}")
    rate = rows / elapsed
    verdict = "ok" if rate >= IMPORT_TARGET else "SLOWER THAN TARGET"
    print(f"  {'CSV import ' + format(rows, ',') + ' rows':<30} {rate:7.0f} rows/s "
          f"({elapsed:.1f} s: created {batch.created_count:,}, skipped {batch.skipped_count:,}, "
          f"rejected {batch.rejected_count:,})   target >= {IMPORT_TARGET:.0f} rows/s   "
          f"ratio {IMPORT_TARGET / rate:5.2f}  {verdict}", flush=True)
    total = cpu + (server or 0.0)
    where = f" + PostgreSQL {server:.1f} s" if server is not None and after else ""
    print(f"  {'  CPU of the import':<30} bench process {cpu:.1f} s{where} = {rows / total:,.0f} rows "
          f"per CPU-second ({os.getloadavg()[0]:.1f} load average)", flush=True)
    if queued:
        own = elapsed - queued
        print(f"  {'  wall less CPU queueing':<30} {rows / own:7.0f} rows/s ({own:.1f} s: the import's "
              f"thread waited {queued:.1f} s for a CPU)", flush=True)


def _measure(kind: str, url: str, tmp: Path, data_rows: int, import_rows: int, count: int,
             overlap: bool | None = None, compare: int = 0) -> None:
    owners: list[int] = []
    app = deployed_app(url, tmp, prepare=lambda session: owners.extend(_owners(session)))
    with app.app_context():
        engine = db.engine
    started = time.perf_counter()
    gc.disable()
    data = Data(data_rows, owners)
    gc.enable()
    generated = time.perf_counter()
    (_load_sqlite if kind == "sqlite" else _load_postgres)(engine, data)
    print(f"[{kind}] {data_rows:,} clients, {len(data.contacts):,} contacts generated in "
          f"{generated - started:.0f} s, loaded and indexed in {time.perf_counter() - generated:.0f} s",
          flush=True)
    with app.app_context(), Session(engine) as session:
        users = {u.login: u for u in session.scalars(select(User))}
        searches = _search_calls(session, data, users, count)
        csv_data, expected = _import_file(data, import_rows)
        # The generated base (millions of Python objects) is not part of what is measured:
        # a web or CLI process never holds it, and every GC pass would walk it.
        del data
        gc.collect()
        for name, calls in searches.items():
            print(_report(name, _timed(session, calls)), flush=True)
        if not compare:
            _import(session, csv_data, expected, import_rows, overlap)
    engine.dispose()
    for n in range(compare):  # the same import on copies of the base, with and without overlap in turn
        print(f"  import {n + 1} of {compare}: {'overlapped' if n % 2 else 'sequential'}", flush=True)
        with app.app_context(), copy_of(kind, engine, n) as copy, Session(copy) as session:
            _import(session, csv_data, expected, import_rows, overlap=bool(n % 2))


def main(argv: list[str]) -> None:
    """Run the client benchmark (``python -m bench clients [--rows N] [--import-rows N]``)."""
    parser = argparse.ArgumentParser(prog="bench clients")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--sequential", action="store_true",
                        help="write each chunk before matching the next, on PostgreSQL too")
    parser.add_argument("--compare", type=int, default=0, metavar="N",
                        help="import N times into copies of the base, sequential and overlapped in turn")
    args = parser.parse_args(argv)
    on_both_databases(PG_DB, lambda kind, url, tmp: _measure(
        kind, url, tmp, args.rows, args.import_rows, args.queries, False if args.sequential else None,
        args.compare),
                      skip_postgres=args.db == "sqlite", skip_sqlite=args.db == "postgresql")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
