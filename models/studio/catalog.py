"""What the editor offers to pick from: operations with typed parameters, forms, roles, departments, DMN.

Operations come from the package registry (their Python signatures are the parameter
types deploy checks against); forms from the forms folder and the analyst's draft; DMN
decisions from the process folder's tables and the draft's.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from lxml import etree

from engine.operations import describe
from engine.xml_safety import UnsafeXml, parse_xml
from models.platform.roles import DEPARTMENTS, ROLE_LABELS

# annotation → (what the panel shows, the spiffworkflow ``type`` written into the diagram)
_TYPES: dict[Any, tuple[str, str]] = {
    int: ("целое число", "int"),
    str: ("строка", "str"),
    Decimal: ("сумма", "decimal"),
    float: ("число", "float"),
    bool: ("да/нет", "bool"),
    date: ("дата", "date"),
    datetime: ("дата и время", "datetime"),
    dict: ("объект", "dict"),
    list: ("список", "list"),
}


def _type(annotation: Any) -> tuple[str, str]:
    if get_origin(annotation) in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        return _type(members[0]) if len(members) == 1 else ("любое", "any")
    origin = get_origin(annotation)
    return _TYPES.get(origin or annotation, ("любое", "any"))


def operations(ops: Mapping[str, Callable[..., Any]]) -> list[dict]:
    """Every registered operation with its parameters (name, shown type, declared type, required)."""
    found = []
    for name in sorted(ops):
        op = describe(name, ops[name])
        params = [
            {"name": p, "type": _type(kind)[0], "declared": _type(kind)[1], "required": p in op.required}
            for p, kind in op.params.items()
        ]
        title = (op.description.splitlines() or [""])[0].rstrip(".")
        found.append({"name": name, "title": title, "description": op.description, "params": params})
    return found


def decisions(files: Mapping[str, bytes]) -> list[dict]:
    """The decisions (id, name, file) the DMN files define; unreadable files are left to deploy's checks."""
    found = []
    for file in sorted(files):
        try:
            root = parse_xml(files[file]).getroot()
        except (UnsafeXml, etree.XMLSyntaxError):
            continue
        for node in root.iter():
            if isinstance(node.tag, str) and etree.QName(node).localname == "decision":
                found.append({"id": node.get("id"), "name": node.get("name") or node.get("id"), "file": file})
    return found


def dmn_files(processes_dir: Path, draft_dmn: Mapping[str, str] | None = None) -> dict[str, bytes]:
    """The DMN tables of the process folder, with the draft's changed ones instead of theirs."""
    files = (
        {p.name: p.read_bytes() for p in sorted(processes_dir.glob("*.dmn"))}
        if processes_dir.is_dir()
        else {}
    )
    for name, xml in (draft_dmn or {}).items():
        files[name] = xml.encode("utf-8")
    return files


def form_names(forms_dir: Path, extra: Mapping[str, Any] | None = None) -> list[str]:
    names = {p.name for p in forms_dir.glob("*.json")} if forms_dir.is_dir() else set()
    names |= set(extra or {})
    return sorted(names)


@dataclass
class Catalog:
    operations: list[dict]
    forms: list[str]
    decisions: list[dict]
    roles: list[tuple[str, str]] = field(
        default_factory=lambda: [(r.value, label) for r, label in ROLE_LABELS.items()]
    )
    departments: list[tuple[str, str]] = field(default_factory=lambda: list(DEPARTMENTS.items()))

    def as_dict(self) -> dict:
        return {
            "operations": self.operations,
            "forms": self.forms,
            "decisions": self.decisions,
            "roles": [list(r) for r in self.roles],
            "departments": [list(d) for d in self.departments],
        }
