"""The forms a definition version was deployed with, as running instances see them.

Deploy stores every form a version references in ``process_form`` (``engine.definitions``)
and marks the version's ``meta["forms_stored"]``. At run time a task's form is read from
its instance's version, never from disk, so editing ``forms/`` and redeploying gives new
instances the new form while running ones keep theirs.

Versions deployed before migration 0006 have no stored forms; for them the forms are
still read from ``forms/`` (``Settings.forms_dir``), as before.

A version's forms never change, so they (and their compiled validators) are cached by the
version's content hash, which covers the forms themselves.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Protocol

from jsonschema import Draft202012Validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import forms
from engine.errors import NotFound
from engine.tables import ProcessDefinition, ProcessForm

STORED_FLAG = "forms_stored"


class FormSource(Protocol):
    """Forms of one version by name."""

    def get(self, name: str) -> dict:
        """The parsed form or UI file; ``NotFound`` if the version has no such form."""
        ...

    def validator(self, name: str) -> Draft202012Validator:
        """The compiled validator of schema ``name``."""
        ...


class StoredForms:
    """Forms stored with a version; validators are compiled once, on first use."""

    def __init__(self, contents: dict[str, dict]) -> None:
        self._contents = contents
        self._validators: dict[str, Draft202012Validator] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> dict:
        try:
            return self._contents[name]
        except KeyError:
            raise NotFound(f"Форма «{name}» не развёрнута с этой версией процесса") from None

    def validator(self, name: str) -> Draft202012Validator:
        compiled = self._validators.get(name)
        if compiled is None:
            compiled = forms.compile_schema(self.get(name))
            with self._lock:
                self._validators[name] = compiled
        return compiled


class DiskForms:
    """Forms read from ``forms/`` by name: only for versions deployed before forms were stored."""

    def __init__(self, forms_dir: Path) -> None:
        self.forms_dir = forms_dir

    def get(self, name: str) -> dict:
        return forms.load_form(self.forms_dir, name)

    def validator(self, name: str) -> Draft202012Validator:
        return forms.file_validator(self.forms_dir, name)


_cache: dict[str, StoredForms] = {}
_cache_lock = threading.Lock()


def version_forms(session: Session, definition: ProcessDefinition, forms_dir: Path) -> FormSource:
    """The forms of ``definition``: stored ones (one query per version and process), else ``forms_dir``."""
    if not (definition.meta or {}).get(STORED_FLAG):
        return DiskForms(forms_dir)
    key = definition.content_hash  # covers spec and forms; row ids are reused across databases
    cached = _cache.get(key)
    if cached is None:
        rows = session.execute(select(ProcessForm.name, ProcessForm.content)
                               .where(ProcessForm.definition_id == definition.id))
        cached = StoredForms({name: content for name, content in rows})
        with _cache_lock:
            _cache[key] = cached
    return cached
