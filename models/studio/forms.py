"""The form editor's checks: JSON text, a JSON Schema, Russian labels for every enum.

The same rule the inbox relies on (people see «Не актуален», never ``not_relevant``): every
``enum`` — of a field or of an array's items — needs ``enumNames`` or ``ui:labels`` with a
label per value. The preview itself is drawn by the web's one form renderer.
"""

from __future__ import annotations

import json
from typing import Any

from engine.forms import form_problem


def _json(text: str, what: str, problems: list[str]) -> Any:
    if not (text or "").strip():
        return None
    try:
        return json.loads(text)
    except ValueError as exc:
        problems.append(f"{what}: не JSON ({exc})")
        return None


def label_problems(schema: dict, ui: dict) -> list[str]:
    """Fields whose options would show codes instead of Russian labels."""
    found = []
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict):
            continue
        enum = prop.get("enum") or (prop.get("items") or {}).get("enum")
        if not enum:
            continue
        labels = (
            prop.get("enumNames")
            or (prop.get("items") or {}).get("enumNames")
            or ((ui.get(name) or {}).get("ui:labels") if isinstance(ui.get(name), dict) else None)
        )
        if not labels:
            found.append(f"поле «{name}»: у вариантов нет русских подписей (enumNames или ui:labels)")
        elif isinstance(labels, list) and len(labels) != len(enum):
            found.append(f"поле «{name}»: подписей {len(labels)}, а вариантов {len(enum)}")
        elif isinstance(labels, dict) and set(map(str, enum)) - set(map(str, labels)):
            found.append(
                f"поле «{name}»: нет подписей для {sorted(set(map(str, enum)) - set(map(str, labels)))}"
            )
    return found


def form_texts_problems(schema_text: str, ui_text: str) -> tuple[dict, dict, list[str]]:
    """(schema, ui, problems) from the editor's two texts."""
    problems: list[str] = []
    schema = _json(schema_text, "Схема", problems)
    ui = _json(ui_text, "Подсказки (UI)", problems)
    if problems:
        return {}, {}, problems
    if schema is None:
        return {}, {}, ["Схема пуста"]
    _parsed, problem = form_problem("форма", json.dumps(schema).encode(), schema=True)
    if problem:
        problems.append(problem)
    if ui is not None and not isinstance(ui, dict):
        problems.append("Подсказки (UI) — объект JSON")
        ui = {}
    ui = ui or {}
    if not problems:
        problems.extend(label_problems(schema, ui))
    return schema, ui, problems
