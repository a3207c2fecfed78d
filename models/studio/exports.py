"""``crm process export KEY``: the deployed version written back to ``processes/`` and ``forms/``.

What the studio deployed (BPMN with its layout and every extension element, the DMN tables
it calls, the forms stored with the version) goes back into the repository's folders so it
can be committed; a version deployed from files gives back its stored BPMN.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from engine.api import ProcessEngine
from engine.bundle import form_name_problem
from models.studio.drafts import last_deployment
from models.studio.errors import StudioError


@dataclass
class Exported:
    key: str
    version: int
    files: list[Path]


def export(session: Session, engine: ProcessEngine, key: str, processes_dir: Path, forms_dir: Path,
           version: int | None = None) -> Exported:
    """Write version ``version`` (default: the latest) of ``key`` into the folders; returns the files."""
    definition = engine.definition(key, version)
    deployment = last_deployment(session, key)
    files: dict[Path, str] = {}
    if deployment is not None and deployment.version == definition.version:
        for name, xml in deployment.diagrams.items():
            files[processes_dir / Path(name).name] = xml
    files.setdefault(processes_dir / Path(definition.source_file).name, definition.source_xml)
    for name, content in engine.definition_forms(definition).items():
        if form_name_problem(name):
            raise StudioError(f"Форма «{name}» не выгружается: имя вне каталога форм")
        files[forms_dir / name] = json.dumps(content, ensure_ascii=False, indent=2) + "\n"
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    return Exported(key, definition.version, sorted(files))
