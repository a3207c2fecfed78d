"""Deals search (``?q=`` on the deals list) at two sizes, on SQLite and PostgreSQL: flat, and checked.

Loads ``--sizes`` deals (default 20,000 then 200,000; ``--sizes 200000,1000000`` for the million,
≈ 2 GB of SQLite file and a few minutes of loading) over a tenth as many clients, with titles
«<product>: <object> <n>» and clients «ООО «<Name> <k>»» with INN 77000…, through the migrated
schema (so the title index — FTS5 trigram table and its triggers on SQLite, pg_trgm GIN on
PostgreSQL — and the clients' name tokens are what normal work keeps). The second size is loaded
on top of the first. Then the deals page's own query (``models.sales.queries.list_deals``) is
timed for the head (everyone's deals) and a manager (own deals) on: a rare title fragment, a
client's name, an INN, a frequent product word and a frequent word on a later page, printing
p50/p95 per size and the ratio of the larger size to the smaller (the goal: flat, ≤ 1.5).

Every answer is checked against the generator (which deals match, newest first) before any
figure is printed; ``CRM_BENCH_SABOTAGE=1`` spoils one answer and the bench must refuse.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, text

from bench.common import check, deployed_app, on_both_databases, sabotaged
from bench.reports import Sql
from models.clients.names import name_suffixes
from models.identity.users import User
from models.platform.db import db
from models.sales.funnels import Funnel
from models.sales.queries import PAGE_SIZE, DealFilter, list_deals

PRODUCTS = ("КАСКО", "ОСАГО", "ДМС", "Имущество", "Грузы", "Ответственность", "НС")
OBJECTS = ("склад", "офис", "автопарк", "цех", "магазин", "ферма", "порт", "завод", "гостиница", "терминал",
           "элеватор", "причал", "ангар", "котельная", "стройплощадка", "лаборатория")
NAMES = ("Ромашка", "Лютик", "Василёк", "Берёза", "Сосна", "Кедр", "Ольха", "Рябина", "Клён", "Ясень",
         "Тополь", "Осина", "Липа", "Дуб", "Вяз", "Ива", "Орешник", "Калина", "Малина", "Черёмуха")
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _product(n: int) -> str:
    return PRODUCTS[(n * 7) % len(PRODUCTS)]


def _object(n: int) -> str:
    return OBJECTS[(n * 13) % len(OBJECTS)]


def title(n: int) -> str:
    return f"{_product(n)}: {_object(n)} {n}"


def client_of(n: int, clients: int) -> int:
    return 1 + (n * 7919) % clients


def client_name(k: int) -> str:
    return f"ООО «{NAMES[k % len(NAMES)]} {k}»"


def inn(k: int) -> str:
    return str(7_700_000_000 + k)


def _case(expr: str, values: tuple[str, ...]) -> str:
    return "CASE " + expr + " " + " ".join(f"WHEN {i} THEN '{v}'" for i, v in enumerate(values)) + " END"


def _load_clients(clients: int, owners: list[int], pg: bool) -> None:
    """Clients in Python (their search names and SQLite name tokens as the flush hook makes them)."""
    rows = []
    tokens = []
    for k in range(1, clients + 1):
        name = NAMES[k % len(NAMES)]
        search = f"{name.lower().replace('ё', 'е')} {k}"
        rows.append({"id": k, "full_name": client_name(k), "inn": inn(k), "owner_id": owners[k % len(owners)],
                     "search_name": search, "at": NOW})
        if not pg:
            tokens += [{"t": t, "c": k} for t in name_suffixes(search)]
    db.session.execute(text(
        "INSERT INTO client (id, kind, full_name, inn, status, tags, owner_id, registry_flag, created_at, "
        "updated_at, search_name) VALUES (:id, 'company', :full_name, :inn, 'active', '[]', :owner_id, "
        "false, :at, :at, :search_name)"), rows)
    if tokens:
        db.session.execute(text("INSERT OR IGNORE INTO client_name_token (token, client_id, contact_id) "
                                "VALUES (:t, :c, 0)"), tokens)
    db.session.commit()


def _load_deals(first: int, last: int, clients: int, owners: list[int], pg: bool) -> None:
    """Deals ``first``..``last`` made by the database itself (INSERT … SELECT over a series)."""
    sql = Sql("postgresql" if pg else "sqlite")
    funnel = db.session.scalars(select(Funnel).where(Funnel.code == "company")).one()
    stage = funnel.first_stage
    whens = " ".join(f"WHEN {i} THEN {u}" for i, u in enumerate(owners))
    owner = f"CASE (m % {len(owners)}) {whens} END"
    ts = "now()" if pg else f"'{NOW.strftime('%Y-%m-%d %H:%M:%S')}.000000'"
    product = _case(f"(m * 7) % {len(PRODUCTS)}", PRODUCTS)
    place = _case(f"(m * 13) % {len(OBJECTS)}", OBJECTS)
    series = sql.series(last - first + 1)
    db.session.execute(text(
        f"""INSERT INTO deal (id, title, client_id, funnel_id, stage_id, owner_id, status, premium,
              probability, product_lines, competitor_offers, stage_entered_at, created_at)
            SELECT m, {product} || ': ' || {place} || ' ' || m, 1 + (m * 7919) % {clients}, {funnel.id},
              {stage.id}, {owner}, 'open', 1000, {stage.probability},
              {sql.js("'[]'")}, {sql.js("'[]'")}, {ts}, {ts}
            FROM (SELECT n + {first - 1} AS m FROM {series} AS s) AS q"""))
    if pg:
        db.session.execute(text("SELECT setval(pg_get_serial_sequence('deal', 'id'), "
                                "(SELECT max(id) FROM deal))"))
        db.session.execute(text("ANALYZE deal"))
        db.session.execute(text("ANALYZE client"))
    else:
        db.session.execute(text("ANALYZE"))
    db.session.commit()


class Expected:
    """Which deals each query must find: the generator's own titles and clients, newest first."""

    def __init__(self, deals: int, clients: int, owners: list[int]) -> None:
        self.deals, self.clients, self.owners = deals, clients, owners

    def newest(self, match: Callable[[int], bool], owner: int | None, below: int | None = None) -> list[int]:
        found = []
        for n in range((below or self.deals + 1) - 1, 0, -1):
            if (owner is None or self.owners[n % len(self.owners)] == owner) and match(n):
                found.append(n)
                if len(found) == PAGE_SIZE:
                    break
        return found


def _queries(size: int, clients: int) -> list[tuple[str, str, Callable[[int], bool], bool]]:
    """(label, typed, which deal numbers match, second page?) for one size."""
    rare = size - 17  # «<object> <n>»: the object word and the deal's own number
    k = client_of(size // 3, clients)

    def named(n: int) -> bool:  # every typed word is part of a word of the client's name
        c = client_of(n, clients)
        return c % len(NAMES) == k % len(NAMES) and str(k) in str(c)

    def titled(n: int) -> bool:  # the rare deal's object word and its number
        return _object(n) == _object(rare) and str(rare) in str(n)

    def by_inn(n: int) -> bool:
        return client_of(n, clients) == k

    return [
        ("редкий фрагмент названия", f"{_object(rare)} {rare}", titled, False),
        ("название клиента", f"{NAMES[k % len(NAMES)]} {k}", named, False),
        ("ИНН клиента", inn(k), by_inn, False),
        ("частое слово (каско)", "каско", lambda n: _product(n) == "КАСКО", False),
        ("частое слово, 2-я страница", "каско", lambda n: _product(n) == "КАСКО", True),
    ]


def _measure_size(kind: str, size: int, clients: int, owners: list[int], repeat: int,
                  results: dict) -> None:
    head = db.session.scalars(select(User).where(User.login == "head")).one()
    manager = db.session.scalars(select(User).where(User.login == "manager")).one()
    expected = Expected(size, clients, owners)
    for who, user, owner in (("руководитель", head, None), ("менеджер", manager, manager.id)):
        for label, typed, match, second in _queries(size, clients):
            first_page = expected.newest(match, owner)
            below = first_page[-1] if second and first_page else None
            want = expected.newest(match, owner, below) if second else first_page
            flt = DealFilter(q=typed, before_id=below)
            times, cpu = [], []
            got: list[int] = []
            for _ in range(repeat):
                start, start_cpu = time.perf_counter(), time.process_time()
                got = [deal.id for deal, _flags in list_deals(db.session, user, NOW, flt)]
                times.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
                db.session.rollback()
            if sabotaged() and label.startswith("ИНН") and got:
                got = got[1:]
            check(got == want, f"{kind}, {size} сделок, {who}, «{typed}»: найдено {got[:5]}…, "
                               f"нужно {want[:5]}… ({len(got)} против {len(want)})")
            p95 = sorted(times)[math.ceil(0.95 * len(times)) - 1]
            results[(kind, who, label, size)] = (statistics.median(times), p95, statistics.median(cpu))


def measure(kind: str, url: str, tmp: Path, sizes: list[int], repeat: int, results: dict) -> None:
    app = deployed_app(url, tmp)
    pg = kind == "postgresql"
    clients = max(500, sizes[-1] // 10)
    with app.app_context():
        owners = list(db.session.scalars(select(User.id).where(User.role.in_(("manager", "senior_manager")))
                                          .order_by(User.id)))
        start = time.perf_counter()
        _load_clients(clients, owners, pg)
        print(f"{kind}: {clients} клиентов загружено за {time.perf_counter() - start:.1f} с", flush=True)
        loaded = 0
        for size in sizes:
            start = time.perf_counter()
            _load_deals(loaded + 1, size, clients, owners, pg)
            print(f"{kind}: до {size} сделок загружено за {time.perf_counter() - start:.1f} с "
                  f"(индекс названий ведётся по ходу)", flush=True)
            loaded = size
            _measure_size(kind, size, clients, owners, repeat, results)
        db.session.remove()
        db.engine.dispose()


def report(results: dict, sizes: list[int]) -> None:
    small, large = sizes[0], sizes[-1]
    print("\nмс на запрос: p50 / p95 по часам, [p50 процессора этого процесса: на SQLite весь запрос, "
          "на PostgreSQL без сервера]; рост — p50 большего размера к меньшему")
    print(f"{'база':<11} {'кто':<13} {'запрос':<28} " + " ".join(f"{s:>22}" for s in sizes) + "   рост")
    keys = sorted({k[:3] for k in results}, key=lambda k: (k[0], k[1], k[2]))
    for kind, who, label in keys:
        cells = [results[(kind, who, label, s)] for s in sizes]
        ratio = cells[-1][0] / cells[0][0] if cells[0][0] else float("nan")
        figures = " ".join(f"{p50:>7.1f} / {p95:<6.1f} [{p50_cpu:>5.1f}]" for p50, p95, p50_cpu in cells)
        print(f"{kind:<11} {who:<13} {label:<28} {figures}   ×{ratio:.2f} ({small}→{large})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,200000", help="deal counts, ascending, comma-separated")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    results: dict = {}
    on_both_databases("crm_bench_deal_search",
                      lambda kind, url, tmp: measure(kind, url, tmp, sizes, args.repeat, results),
                      skip_postgres=args.skip_postgres)
    report(results, sizes)


if __name__ == "__main__":
    main()
