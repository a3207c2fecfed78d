"""Full-text search at scale: p50/p95 of ``GET /api/v1/search``'s service over 5,000,000 texts.

Generates ``--rows`` texts (default 5,000,000) once into a TSV file: comments on 50,000
clients of 40 managers, 8–24 words each drawn from a Zipf-distributed vocabulary of
generated words plus the CRM's own words in their inflections («возражение», «возражения»,
«дорого», «дорогой», «тариф», «тарифа», …). Loads it into a SQLite file and into the
PostgreSQL database ``crm_bench_search`` (schema by the Alembic migrations) as a DBA
would: PostgreSQL by COPY into an unlogged staging table, then one INSERT … SELECT
computing ``to_tsvector('russian', …)``, the GIN and b-tree indexes built after, ANALYZE;
SQLite by executemany with the indexes built after and the FTS5 table fed the Snowball
stems. Then measures ``models.search.service.search`` — stemming, the full-text query,
the rights (a manager's first filter and the record rule on every hit), labels and
snippets — for queries of one, two and three words, frequent and rare, as the head (sees
everything) and as a manager (own clients only). Target: p95 < 100 ms.

The databases are kept between runs (``--reload`` builds them again) because loading
5,000,000 texts takes minutes; ``--drop`` removes them.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from bench.common import check, sabotaged
from models.identity.users import User
from models.search.stems import STOP_WORDS, stem
from models.search.texts import SearchText

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "crm_bench_search"
WORK = Path("/tmp/crm-bench-search")
TARGET_MS = 100.0
CLIENTS = 50_000
OWNERS = 40
SYLLABLES = ("ка", "ро", "ма", "тех", "но", "пром", "снаб", "вол", "га", "ур", "ал", "сиб", "ир", "нев",
             "лог", "ист", "гра", "нит", "век", "тор", "аль", "фа", "стр", "ой", "инв", "ест", "мед",
             "агро", "энер", "го", "бал", "тик", "сер", "вис", "тран", "зит", "лин", "ком")
ENDINGS = ("", "а", "ы", "е", "ой", "ом", "ами", "ов", "ия", "ие", "ый", "ая")
DOMAIN = [
    "возражение", "возражения", "возражений", "дорого", "дорогой", "дорогая", "дешевле", "тариф",
    "тарифа", "тарифы", "тарифом", "скидка", "скидку", "скидки", "клиент", "клиента", "клиенту",
    "договор", "договора", "договоре", "полис", "полиса", "полисы", "страхование", "страховка",
    "каско", "осаго", "имущество", "склад", "склады", "склада", "рассрочка", "рассрочку",
    "конкурент", "конкурента", "конкуренты", "андеррайтинг", "андеррайтер", "убыток", "убытки",
    "убыточность", "премия", "премию", "премии", "пролонгация", "пролонгацию", "встреча",
    "встречи", "звонок", "звонил", "перезвонить", "коммерческое", "предложение", "КП",
    "согласование", "согласовали", "лимит", "франшиза", "франшизу", "покрытие", "риски", "риск",
    "автопарк", "флот", "грузы", "перевозка", "ответственность", "директор", "бухгалтерия",
    "реквизиты", "счёт", "оплата", "оплатили", "сомневается", "думает", "отказался", "подписал",
    "подпишет",
]
QUERIES = {
    "2 слова частые": ["возражение дорого", "скидка тариф", "клиент договор", "полис каско",
                       "рассрочка оплата"],
    "1 слово частое": ["возражения", "дорого", "тарифы", "склады", "конкуренты", "франшиза"],
    "3 слова": ["возражение дорого конкурент", "скидка тариф каско", "договор пролонгация премия"],
    "1 слово редкое": [],  # filled with generated words from the vocabulary's tail
}


def _vocabulary(rng: random.Random, size: int = 30_000) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randrange(2, 4))) + rng.choice(ENDINGS))
    generated = sorted(words - STOP_WORDS - set(DOMAIN))
    rng.shuffle(generated)
    # the CRM's words sit among the frequent ones (ranks 30–400), the rest follow Zipf
    vocab = generated[:30]
    for word in DOMAIN:
        vocab.insert(rng.randrange(30, 400), word)
    return vocab + generated[30:]


def _texts(rows: int, seed: int = 2026) -> Iterator[tuple]:
    """(id, client, owner, author, created ISO, body, stems) for every text, generated lazily."""
    rng = random.Random(seed)
    vocab = _vocabulary(rng)
    stems = [stem(w.lower().replace("ё", "е")) for w in vocab]
    cumulative = list(itertools.accumulate(1.0 / (rank + 8) for rank in range(len(vocab))))
    total = cumulative[-1]
    start = datetime(2021, 1, 1, tzinfo=UTC)
    step = (datetime(2026, 11, 1, tzinfo=UTC) - start) / rows
    for i in range(1, rows + 1):
        picks = [bisect.bisect(cumulative, rng.random() * total) for _ in range(rng.randrange(8, 25))]
        body = " ".join(vocab[p] for p in picks).capitalize() + "."
        client = rng.randrange(1, CLIENTS + 1)
        owner = client % OWNERS
        stemmed = " ".join(stems[p] for p in picks)
        yield (i, client, owner, owner, (start + step * i).isoformat(), body, stemmed)
    QUERIES["1 слово редкое"] = [vocab[r] for r in (5000, 9000, 15000, 21000, 27000)]


def _owner_ids(session: Session) -> list[int]:
    from models.identity.demo import ensure_demo_users

    ensure_demo_users(session, password_hash="x")
    existing = list(session.scalars(select(User.id).where(User.login.like("bench%")).order_by(User.id)))
    for n in range(len(existing), OWNERS):
        user = User(login=f"bench{n}", full_name=f"Менеджер {n}", role="manager", email=f"b{n}@x.ru",
                    is_active=True, password_hash="x")
        session.add(user)
        session.flush()
        existing.append(user.id)
    session.commit()
    return existing


def _client_rows(owners: list[int]) -> Iterator[tuple]:
    now = datetime(2021, 1, 1, tzinfo=UTC).isoformat()
    for i in range(1, CLIENTS + 1):
        name = f"ООО «Клиент {i}»"
        yield (i, "company", name, name.lower(), "active", "[]", owners[i % OWNERS], now, now)


CLIENT_COLUMNS = "id, kind, full_name, search_name, status, tags, owner_id, created_at, updated_at"
TEXT_COLUMNS = ("id, source, source_id, object_type, object_id, client_id, owner_id, author_id, title, body, "
                "created_at")
INDEXES = ("ix_search_text_source", "ix_search_text_client", "ix_search_text_owner", "ix_search_text_author",
           "ix_search_text_tsv")


def _text_row(row: tuple, owners: list[int]) -> tuple:
    i, client, owner, author, created, body, _ = row
    return (i, "comment", i, "client", client, client, owners[owner], owners[author], "", body, created)


def _load_sqlite(engine, rows: int, owners: list[int]) -> None:
    raw = engine.raw_connection()
    cur = raw.cursor()
    cur.execute("PRAGMA synchronous=OFF")
    cur.executemany(f"INSERT INTO client ({CLIENT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)", _client_rows(owners))
    ddl = {name: sql for name, sql in cur.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name='search_text' "
        "AND sql IS NOT NULL")}
    for name in ddl:
        cur.execute(f"DROP INDEX {name}")
    batch: list[tuple] = []
    fts: list[tuple] = []
    for row in _texts(rows):
        batch.append(_text_row(row, owners))
        fts.append((row[0], row[6]))
        if len(batch) == 50_000:
            cur.executemany(f"INSERT INTO search_text ({TEXT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)", batch)
            cur.executemany("INSERT INTO search_text_fts (rowid, stems) VALUES (?, ?)", fts)
            raw.commit()
            batch, fts = [], []
    if batch:
        cur.executemany(f"INSERT INTO search_text ({TEXT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)", batch)
        cur.executemany("INSERT INTO search_text_fts (rowid, stems) VALUES (?, ?)", fts)
    for sql in ddl.values():
        cur.execute(sql)
    cur.execute("INSERT INTO search_text_fts(search_text_fts) VALUES ('optimize')")
    cur.execute("ANALYZE")
    raw.commit()
    raw.close()


def _load_postgres(url: str, rows: int, owners: list[int]) -> None:
    with psycopg.connect(url) as conn:
        cur = conn.cursor()
        with cur.copy(f"COPY client ({CLIENT_COLUMNS}) FROM STDIN") as copy:
            for client in _client_rows(owners):
                copy.write_row(client)
        for name in INDEXES:
            cur.execute(f"DROP INDEX IF EXISTS {name}")
        cur.execute(f"CREATE UNLOGGED TABLE bench_stage AS SELECT {TEXT_COLUMNS} FROM search_text "
                    "WITH NO DATA")
        with cur.copy(f"COPY bench_stage ({TEXT_COLUMNS}) FROM STDIN") as copy:
            for row in _texts(rows):
                copy.write_row(_text_row(row, owners))
        cur.execute(f"INSERT INTO search_text ({TEXT_COLUMNS}, tsv) SELECT {TEXT_COLUMNS}, "
                    "to_tsvector('russian', title || ' ' || body) FROM bench_stage")
        cur.execute("DROP TABLE bench_stage")
        cur.execute("SET maintenance_work_mem = '1GB'")
        cur.execute("CREATE UNIQUE INDEX ix_search_text_source ON search_text (source, source_id)")
        cur.execute("CREATE INDEX ix_search_text_client ON search_text (client_id, id)")
        cur.execute("CREATE INDEX ix_search_text_owner ON search_text (owner_id, id)")
        cur.execute("CREATE INDEX ix_search_text_author ON search_text (author_id, id)")
        cur.execute("CREATE INDEX ix_search_text_tsv ON search_text USING gin (tsv)")
        cur.execute(f"SELECT setval(pg_get_serial_sequence('search_text', 'id'), {rows})")
        cur.execute(f"SELECT setval(pg_get_serial_sequence('client', 'id'), {CLIENTS})")
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE search_text, client")


def _timed(session: Session, calls: list[Callable[[], object]]) -> list[float]:
    samples = []
    for call in calls:
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _report(name: str, samples: list[float], hits: int) -> str:
    p50 = statistics.median(samples)
    p95 = statistics.quantiles(samples, n=20)[18] if len(samples) >= 20 else max(samples)
    verdict = "ok" if p95 < TARGET_MS else "SLOWER THAN TARGET"
    return (f"  {name:<34} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms   target p95 < {TARGET_MS:.0f} ms   "
            f"ratio {p95 / TARGET_MS:5.2f}  {verdict}   ({len(samples)} queries, {hits} hits shown)")


def _check(session: Session, head: User, manager: User) -> None:
    """Before timing: the head finds a frequent word, the manager only texts of their own clients."""
    from models.search.service import search

    if sabotaged():  # the index loses every text with «дорого»: the head's search must notice
        session.execute(text("DELETE FROM search_text WHERE body LIKE '%дорог%' OR body LIKE '%Дорог%'"))
    found = search(session, head, {"q": "дорого"}).hits
    check(len(found) > 0, "руководитель не нашёл ни одного текста со словом «дорого»")
    theirs = set(session.scalars(select(SearchText.client_id).where(SearchText.owner_id != manager.id)))
    mine = search(session, manager, {"q": "дорого"}).hits
    check(not any(h.client_id in theirs for h in mine), "менеджер видит тексты чужих клиентов")


def _measure(session: Session, repeat: int) -> None:
    from models.search.service import search

    head = session.scalar(select(User).where(User.login == "head"))
    manager = session.scalar(select(User).where(User.login == "bench7"))
    _check(session, head, manager)
    everything: list[float] = []
    for who, user in (("руководитель", head), ("менеджер", manager)):
        for kind, queries in QUERIES.items():
            hits = 0

            def call(q: str, u: User = user) -> None:
                nonlocal hits
                hits += len(search(session, u, {"q": q}).hits)

            calls = [lambda q=q: call(q) for q in queries] * repeat
            search(session, user, {"q": queries[0]})  # warm the caches once per kind
            samples = _timed(session, calls)
            everything += samples
            print(_report(f"{who}: {kind}", samples, hits // repeat), flush=True)
    print(_report("все запросы", everything, 0), flush=True)


def _run(kind: str, url: str, rows: int, reload: bool, repeat: int) -> None:
    from alembic import command

    from models.platform.db import db
    from models.platform.settings import Settings
    from web import create_app

    app = create_app(Settings(database_url=url, secret_key="bench", env="test", instance_dir=WORK,
                              scheduler=False))
    with app.app_context():
        engine = db.engine
        with Session(engine) as session:
            loaded = session.execute(text("SELECT count(*) FROM search_text")).scalar() \
                if engine.dialect.has_table(engine.connect(), "search_text") else 0
        if loaded != rows or reload:
            if loaded:
                raise SystemExit(f"[{kind}] the bench database holds {loaded:,} texts: run with --drop first")
            command.upgrade(app.extensions["migrate"].migrate.get_config(), "heads")
            with Session(engine) as session:
                owners = _owner_ids(session)
            started = time.perf_counter()
            if kind == "sqlite":
                _load_sqlite(engine, rows, owners)
            else:
                _load_postgres(url.replace("+psycopg", ""), rows, owners)
            took = time.perf_counter() - started
            print(f"[{kind}] {rows:,} texts generated, loaded and indexed in {took:.0f} s", flush=True)
        else:
            print(f"[{kind}] {rows:,} texts already loaded", flush=True)
            _vocabulary_only(rows)
        with Session(engine) as session:
            count = session.scalar(select(func.count()).select_from(SearchText))
            print(f"[{kind}] search_text holds {count:,} texts", flush=True)
            _measure(session, repeat)
        engine.dispose()


def _vocabulary_only(rows: int) -> None:
    """The rare-word queries come from the generated vocabulary: rebuild it without the texts."""
    rng = random.Random(2026)
    vocab = _vocabulary(rng)
    QUERIES["1 слово редкое"] = [vocab[r] for r in (5000, 9000, 15000, 21000, 27000)]


def main(argv: list[str]) -> None:
    """``python -m bench search [--rows N] [--db sqlite|postgresql|both] [--reload] [--drop]``."""
    parser = argparse.ArgumentParser(prog="bench search")
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=8)
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--drop", action="store_true", help="remove the bench databases and stop")
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    sqlite_file = WORK / f"search-{args.rows}.db"
    if args.drop or args.reload:
        sqlite_file.unlink(missing_ok=True)
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        if args.drop:
            return
    if args.db in ("sqlite", "both"):
        _run("sqlite", f"sqlite:///{sqlite_file}", args.rows, False, args.repeat)
    if args.db in ("postgresql", "both"):
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (PG_DB,)).fetchone():
                conn.execute(f'CREATE DATABASE "{PG_DB}"')
        _run("postgresql", f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DB}", args.rows, False,
             args.repeat)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
