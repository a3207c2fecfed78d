"""Home screens per role: what each person should do next, read from the owning domains.

Each module builds the sections of one role (or a family of roles) from the services of the
domains that own the data; nothing here writes, and nothing queries another domain's tables
that the domain already answers for.
"""

from __future__ import annotations

from models.platform.registry import Registry


def register(registry: Registry) -> None:
    """Nothing to declare: the home screens only read what other packages own."""
