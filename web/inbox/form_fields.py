"""Turning a task's JSON Schema (+ optional UI hints) into form fields, and the posted form back into data.

Widgets come from the schema (``enum`` → select, array of ``enum`` → multi-select,
``boolean`` → checkbox, ``integer``/``number`` → number, ``format: date`` → date,
``readOnly`` → shown, never taken from the request) or from the UI file in the RJSF style
(``ui:order``, ``ui:widget`` = textarea | money | file | client | deal, ``ui:help``,
``ui:placeholder``, ``ui:labels`` for option names). Parsing keeps what the person typed
so a page with errors shows it again; the schema itself is checked by ``engine.forms``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.utils import secure_filename

WIDGETS = (
    "text",
    "textarea",
    "number",
    "money",
    "date",
    "select",
    "multiselect",
    "checkbox",
    "file",
    "client",
    "deal",
)


@dataclass
class FormField:
    name: str
    title: str
    widget: str
    required: bool = False
    readonly: bool = False
    help: str | None = None
    placeholder: str | None = None
    options: list[tuple[str, str]] = field(default_factory=list)
    value: Any = None
    errors: list[str] = field(default_factory=list)


def _types(prop: dict) -> list[str]:
    kind = prop.get("type", "string")
    return kind if isinstance(kind, list) else [kind]


def widget_of(prop: dict, hints: dict) -> str:
    widget = hints.get("ui:widget")
    if widget in WIDGETS:
        return widget
    types = _types(prop)
    if "boolean" in types:
        return "checkbox"
    if "array" in types and isinstance(prop.get("items"), dict) and "enum" in prop["items"]:
        return "multiselect"
    if "enum" in prop:
        return "select"
    if "integer" in types or "number" in types:
        return "number"
    if prop.get("format") == "date":
        return "date"
    return "text"


def _options(prop: dict, hints: dict) -> list[tuple[str, str]]:
    values = prop.get("enum") or (prop.get("items") or {}).get("enum") or []
    labels = hints.get("ui:labels", {})
    return [(str(v), str(labels.get(str(v), v))) for v in values]


def _display(value: Any, widget: str) -> Any:
    if value is None:
        return [] if widget == "multiselect" else ""
    if widget == "multiselect":
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]
    if widget == "checkbox":
        return bool(value) and value not in ("", "false", "0")
    return str(value)


def build_fields(
    schema: dict, ui: dict | None, values: dict, errors: dict[str, list[str]]
) -> list[FormField]:
    """Fields in display order with their current values and error messages."""
    ui = ui or {}
    props: dict = schema.get("properties", {})
    order = [n for n in ui.get("ui:order", []) if n in props] + [
        n for n in props if n not in ui.get("ui:order", [])
    ]
    required = set(schema.get("required", []))
    result = []
    for name in order:
        prop, hints = props[name], ui.get(name, {})
        widget = widget_of(prop, hints)
        result.append(
            FormField(
                name=name,
                title=prop.get("title", name),
                widget=widget,
                required=name in required,
                readonly=bool(prop.get("readOnly") or hints.get("ui:readonly")),
                help=hints.get("ui:help") or prop.get("description"),
                placeholder=hints.get("ui:placeholder"),
                options=_options(prop, hints),
                value=_display(values.get(name), widget),
                errors=errors.get(name, []),
            )
        )
    return result


def _number(text: str, integer: bool) -> int | float:
    number = Decimal(text.replace("\u00a0", "").replace(" ", "").replace(",", "."))
    if integer:
        if number != number.to_integral_value():
            raise InvalidOperation
        return int(number)
    return int(number) if number == number.to_integral_value() else float(number)


def _money(text: str) -> str:
    return text.replace("\u00a0", "").replace(" ", "").replace("₽", "").replace(",", ".")


@dataclass
class Submission:
    data: dict  # typed values for the engine
    typed: dict  # what was typed, to show again
    errors: dict[str, list[str]]


def _convert(f: FormField, prop: dict, text: str, client_exists: Callable[[int], bool]) -> Any:
    """One typed value from its text; ``ValueError`` carries the Russian message."""
    if f.widget in ("number", "client", "deal"):
        integer = "integer" in _types(prop) or f.widget in ("client", "deal")
        try:
            value = _number(text, integer)
        except (InvalidOperation, ValueError):
            raise ValueError("Введите целое число" if integer else "Введите число") from None
        if f.widget == "client" and not client_exists(value):
            raise ValueError("Клиент не найден")
        return value
    if f.widget == "money":
        return _money(text)
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
        prop = schema["properties"][f.name]
        nullable = "null" in _types(prop)
        if f.readonly:
            continue
        if f.widget == "checkbox":
            data[f.name] = typed[f.name] = f.name in form
            continue
        if f.widget == "multiselect":
            chosen = [v for v in form.getlist(f.name) if v]
            data[f.name] = typed[f.name] = chosen
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
