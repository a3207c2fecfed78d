"""What one deploy receives: BPMN and DMN diagrams and the forms they reference, as bytes.

A deploy never reads the disk itself. ``Bundle.from_paths`` builds a bundle from
``processes/`` files and the forms they name in ``forms/`` (``crm deploy``, tests, demo
data); the process studio will build one from the bytes the browser sent. Either way the
engine checks and stores exactly what is in the bundle, forms included, so a version
always runs with the forms it was deployed with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from lxml import etree

from engine.errors import DeployError
from engine.xml_safety import UnsafeXml, parse_xml

DIAGRAM_SUFFIXES = (".bpmn", ".dmn")
FORM_PROPERTIES = ("formJsonSchemaFilename", "formUiSchemaFilename")
_SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"


@dataclass(frozen=True)
class Bundle:
    """``diagrams``: file name → BPMN/DMN bytes; ``forms``: form name (as the diagrams say it) → JSON bytes.

    ``forms_origin`` says where missing forms were looked for, for error messages.
    """

    diagrams: Mapping[str, bytes]
    forms: Mapping[str, bytes] = field(default_factory=dict)
    forms_origin: str = ""

    @classmethod
    def from_paths(cls, paths: Iterable[Path], forms_dir: Path) -> Bundle:
        """The ``.bpmn``/``.dmn`` files under ``paths`` and the forms they reference from ``forms_dir``.

        A form that is not in ``forms_dir`` is left out; deploy then refuses the diagram
        that references it, naming the file and the element.
        """
        diagrams: dict[str, bytes] = {}
        for path in collect_files(paths):
            if path.name in diagrams:
                raise DeployError(path.name, None, "в развёртывании два файла с таким именем")
            diagrams[path.name] = path.read_bytes()
        forms: dict[str, bytes] = {}
        for name in sorted(referenced_forms(diagrams.values())):
            if not form_name_problem(name):
                candidate = forms_dir / name
                if candidate.is_file():
                    forms[name] = candidate.read_bytes()
        return cls(diagrams=diagrams, forms=forms, forms_origin=str(forms_dir))


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into their ``.bpmn``/``.dmn`` files, sorted for repeatable deploys."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in DIAGRAM_SUFFIXES))
        elif path.is_file():
            if path.suffix not in DIAGRAM_SUFFIXES:
                raise DeployError(str(path), None, "ожидается файл .bpmn или .dmn")
            files.append(path)
        else:
            raise DeployError(str(path), None, "файл или каталог не найден")
    return files


def referenced_forms(diagrams: Iterable[bytes]) -> set[str]:
    """Form names the diagrams' user tasks reference (unreadable XML is left to the deploy's checks)."""
    names: set[str] = set()
    for content in diagrams:
        try:
            tree = parse_xml(content)
        except (UnsafeXml, etree.XMLSyntaxError):
            continue
        for prop in tree.getroot().iter(f"{{{_SPIFF}}}property"):
            value = prop.get("value")
            if prop.get("name") in FORM_PROPERTIES and value:
                names.add(value)  # as the parser will read it, so the deploy finds it by that name
    return names


def form_name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a form file (absolute, leaves the forms folder), or None."""
    path = PurePosixPath(name.replace("\\", "/"))
    if not name.strip() or path.is_absolute() or ".." in path.parts:
        return f"имя файла формы «{name}» недопустимо: ожидается путь внутри каталога форм"
    return None
