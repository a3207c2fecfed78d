"""Form fields from a task's JSON Schema and its UI hints (RJSF style), for every page that shows a form.

Widgets come from the schema (``enum`` → select, array of ``enum`` → multi-select,
``boolean`` → checkbox, ``integer``/``number`` → number, ``format: date`` → date,
``readOnly`` → shown, never taken from the request) or from the UI file (``ui:order``,
``ui:widget`` = textarea | money | file | client | deal, ``ui:help``, ``ui:placeholder``,
``ui:labels``). Option labels come from ``enumNames`` (JSON Schema's long-standing
extension) and ``ui:labels``, which wins, so people read «Не актуален», never ``not_relevant``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from web.forms.money import format_money

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
    """One field as the form macro draws it: widget, labels, current value and its errors."""

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

    @property
    def has_empty_option(self) -> bool:
        """The enum itself offers an empty choice (then the select needs no «— выберите —»)."""
        return any(value == "" for value, _ in self.options)

    @property
    def shown(self) -> str:
        """The value for reading (completed tasks, earlier steps): labels, да/нет, a dash when empty."""
        labels = dict(self.options)
        value = self.value
        if self.widget == "checkbox" or isinstance(value, bool):
            return "да" if value else "нет"
        if isinstance(value, list):
            return ", ".join(labels.get(str(v), str(v)) for v in value) or "—"
        if value is None or value == "":
            return "—"
        return labels.get(str(value), str(value))


def types_of(prop: dict) -> list[str]:
    """The JSON Schema ``type`` of a property as a list (``"string"`` when absent)."""
    kind = prop.get("type", "string")
    return kind if isinstance(kind, list) else [kind]


def widget_of(prop: dict, hints: dict) -> str:
    """The widget of a property: the UI file's choice, else what its schema type suggests."""
    widget = hints.get("ui:widget")
    if widget in WIDGETS:
        return widget
    types = types_of(prop)
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


def options_of(prop: dict, hints: dict) -> list[tuple[str, str]]:
    """(value, label) of an enum (or of an array's item enum): ``ui:labels``, then ``enumNames``."""
    source = prop if "enum" in prop else (prop.get("items") or {})
    values = source.get("enum") or []
    names = source.get("enumNames") or []
    labels = hints.get("ui:labels") or {}
    result = []
    for index, value in enumerate(values):
        key = "" if value is None else str(value)
        name = names[index] if index < len(names) else key
        result.append((key, str(labels.get(key, name))))
    return result


def _value(value: Any, widget: str) -> Any:
    if value is None:
        return [] if widget == "multiselect" else ""
    if widget == "multiselect":
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]
    if widget == "checkbox":
        return bool(value) and value not in ("", "false", "0")
    if widget == "money":
        return format_money(value)
    return str(value)


def field_order(schema: dict, ui: dict) -> list[str]:
    """Property names in ``ui:order`` first (unknown names skipped), then the rest as in the schema."""
    props: dict = schema.get("properties", {})
    order = [n for n in ui.get("ui:order", []) if n in props]
    return order + [n for n in props if n not in order]


def build_fields(
    schema: dict, ui: dict | None, values: dict, errors: dict[str, list[str]]
) -> list[FormField]:
    """Fields in display order with their current values and error messages."""
    ui = ui or {}
    props: dict = schema.get("properties", {})
    required = set(schema.get("required", []))
    result = []
    for name in field_order(schema, ui):
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
                options=options_of(prop, hints),
                value=_value(values.get(name), widget),
                errors=errors.get(name, []),
            )
        )
    return result
