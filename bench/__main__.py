"""Run every benchmark module in ``bench/`` (or those named on the command line).

Each benchmark prints its own figures and the ratio to its baseline in the same run;
``make bench`` calls this. ``python -m bench engine clients`` runs a subset.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def _modules() -> list[str]:
    here = Path(__file__).parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)])
                  if not m.name.startswith("_") and m.name != "common")


def main(argv: list[str]) -> int:
    """``python -m bench [name …]``, or ``python -m bench name --option …`` for one bench's options."""
    options = next((i for i, a in enumerate(argv) if a.startswith("-")), len(argv))
    names, rest = argv[:options] or _modules(), argv[options:]
    if rest and len(names) != 1:
        raise SystemExit("параметры можно передать только одному бенчмарку: python -m bench <имя> --…")
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        print(f"\n=== bench/{name}.py ===", flush=True)
        started = time.perf_counter()
        module.main(rest)
        print(f"--- bench/{name}.py took {time.perf_counter() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
