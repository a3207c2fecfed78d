"""The posted form of a task back into typed data, the same way for every page that shows one.

Read-only fields are never taken from the request; checkboxes, multi-selects and uploads
follow their widgets; numbers, clients and deals become integers, money a decimal string
(``web.forms.money``). What the person typed is kept so a page with errors shows it again;
conversion problems become Russian field errors, and the schema itself is checked by the
engine when the task is completed.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.utils import secure_filename

from web.forms.fields import FormField, build_fields, types_of
from web.forms.money import parse_money


@dataclass
class Submission:
    """A parsed form: typed ``data`` for the engine, what was ``typed``, conversion ``errors``."""

    data: dict
    typed: dict
    errors: dict[str, list[str]]


def _number(text: str, integer: bool) -> int | float:
    number = Decimal(text.replace("\u00a0", "").replace(" ", "").replace(",", "."))
    if not number.is_finite():
        raise InvalidOperation
    if integer:
        if number != number.to_integral_value():
            raise InvalidOperation
        return int(number)
    return int(number) if number == number.to_integral_value() else float(number)


def _convert(f: FormField, prop: dict, text: str, client_exists: Callable[[int], bool]) -> Any:
    """One typed value from its text; ``ValueError`` carries the Russian message."""
    if f.widget in ("number", "client", "deal"):
        integer = "integer" in types_of(prop) or f.widget in ("client", "deal")
        try:
            value = _number(text, integer)
        except (InvalidOperation, ValueError):
            raise ValueError("Введите целое число" if integer else "Введите число") from None
        if f.widget == "client" and not client_exists(int(value)):
            raise ValueError("Клиент не найден")
        return value
    if f.widget == "money":
        return parse_money(text)
    return text


def parse_form(
    schema: dict,
    ui: dict | None,
    form: MultiDict,
    files: MultiDict,
    save_file: Callable[[FileStorage], str],
    client_exists: Callable[[int], bool] = lambda _id: True,
) -> Submission:
    """Typed data from a posted form; conversion problems become Russian field errors."""
    data: dict[str, Any] = {}
    typed: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for f in build_fields(schema, ui, {}, {}):
        if f.readonly:
            continue
        prop = schema["properties"][f.name]
        nullable = "null" in types_of(prop)
        if f.widget == "checkbox":
            data[f.name] = typed[f.name] = f.name in form
            continue
        if f.widget == "multiselect":
            data[f.name] = typed[f.name] = [v for v in form.getlist(f.name) if v]
            continue
        if f.widget == "file":
            upload = files.get(f.name)
            if upload is not None and upload.filename:
                data[f.name] = typed[f.name] = save_file(upload)
            elif nullable:
                data[f.name] = None
            continue
        text = (form.get(f.name) or "").strip()
        typed[f.name] = text
        if text == "":
            if nullable:
                data[f.name] = None
            continue
        try:
            data[f.name] = _convert(f, prop, text, client_exists)
        except ValueError as exc:
            errors[f.name] = [str(exc)]
    return Submission(data, typed, errors)


def upload_saver(upload_dir: Path) -> Callable[[FileStorage], str]:
    """Store uploads under ``instance/uploads/<random>/<name>``; the value is that relative path."""

    def save(upload: FileStorage) -> str:
        token = secrets.token_hex(8)
        name = secure_filename(upload.filename or "") or "file"
        folder = upload_dir / token
        folder.mkdir(parents=True, exist_ok=True)
        upload.save(folder / name)
        return f"uploads/{token}/{name}"

    return save


def discard_uploads(instance_dir: Path, paths: Iterable[str]) -> None:
    """Remove the folders of uploads whose submission was refused (nothing half-written)."""
    for path in paths:
        shutil.rmtree(instance_dir / path.rsplit("/", 1)[0], ignore_errors=True)
