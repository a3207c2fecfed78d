"""What changed between two versions of a process, element by element (the studio's diff).

Elements are compared by what runs: each task spec with a BPMN id as the deployed spec
serializes it (properties, instructions, scripts, operation and parameters, the DMN table,
timers, conditions …), leaving out only the links to neighbours, which the sequence flows
show instead (compared from the XML: source, target, name, condition). A user task whose
form or UI file changed counts as changed too, since forms are part of the version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from engine.parsing import NS
from engine.xml_safety import UnsafeXml, parse_xml

_IGNORED = frozenset({"inputs", "outputs", "name", "lookahead", "description"})
_LABELS = {
    "bpmn_name": "название",
    "documentation": "описание",
    "lane": "дорожка",
    "extensions.instructionsForEndUser": "инструкция",
    "extensions.properties.dueIn": "срок",
    "extensions.properties.dueAt": "срок",
    "extensions.properties.assignee": "исполнитель",
    "extensions.properties.candidateRole": "роль",
    "extensions.properties.candidateDepartment": "отдел",
    "extensions.properties.priority": "приоритет",
    "extensions.properties.formJsonSchemaFilename": "форма",
    "extensions.properties.formUiSchemaFilename": "форма",
    "extensions.serviceTaskOperator": "операция",
    "operation_name": "операция",
    "operation_params": "параметры операции",
    "result_variable": "переменная результата",
    "prescript": "скрипт до",
    "postscript": "скрипт после",
    "script": "скрипт",
    "decision_table": "таблица решений",
    "cond_task_specs": "условия переходов",
    "default_task_spec": "переход по умолчанию",
    "event_definition": "событие",
    "cancel_activity": "прерывание",
    "form": "форма (содержимое)",
}


@dataclass
class ElementChange:
    """An element added, removed or changed; ``fields`` says what changed, in Russian."""

    id: str
    name: str
    kind: str  # task | flow
    fields: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "kind": self.kind, "fields": self.fields}


@dataclass
class SpecDiff:
    added: list[ElementChange] = field(default_factory=list)
    removed: list[ElementChange] = field(default_factory=list)
    changed: list[ElementChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def as_dict(self) -> dict:
        return {key: [c.as_dict() for c in getattr(self, key)] for key in ("added", "removed", "changed")}


def _task_specs(spec_json: str | None) -> dict[str, dict]:
    if not spec_json:
        return {}
    data = json.loads(spec_json)
    specs: dict[str, dict] = {}
    for spec in (data["spec"], *data.get("subprocess_specs", {}).values()):
        for task in (spec or {}).get("task_specs", {}).values():
            if task.get("bpmn_id"):
                specs[task["bpmn_id"]] = task
    return specs


def _flatten(value: Any, prefix: str) -> dict[str, Any]:
    if isinstance(value, dict) and prefix in ("", "extensions", "extensions.properties"):
        result: dict[str, Any] = {}
        for key, item in value.items():
            result.update(_flatten(item, f"{prefix}.{key}" if prefix else key))
        return result
    return {prefix: value}


def _changed_fields(old: dict, new: dict) -> list[str]:
    a = _flatten({k: v for k, v in old.items() if k not in _IGNORED}, "")
    b = _flatten({k: v for k, v in new.items() if k not in _IGNORED}, "")
    labels = []
    for key in sorted(set(a) | set(b)):
        if a.get(key) != b.get(key):
            label = _LABELS.get(key) or _LABELS.get(key.split(".")[0]) or key.split(".")[-1]
            if label not in labels:
                labels.append(label)
    return labels


def _flows(xml: str | None) -> dict[str, tuple[str, dict]]:
    if not xml:
        return {}
    try:
        root = parse_xml(xml.encode("utf-8")).getroot()
    except (UnsafeXml, etree.XMLSyntaxError):
        return {}
    flows = {}
    for node in root.iterfind(".//bpmn:sequenceFlow", NS):
        condition = node.find("bpmn:conditionExpression", NS)
        flows[node.get("id")] = (
            node.get("name") or "",
            {
                "source": node.get("sourceRef"),
                "target": node.get("targetRef"),
                "condition": (condition.text or "").strip() if condition is not None else "",
            },
        )
    return flows


def _form_names(task: dict) -> list[str]:
    props = (task.get("extensions") or {}).get("properties") or {}
    return [props[k] for k in ("formJsonSchemaFilename", "formUiSchemaFilename") if props.get(k)]


def _task_changes(
    result: SpecDiff,
    old: dict[str, dict],
    new: dict[str, dict],
    old_forms: dict[str, Any] | None,
    new_forms: dict[str, Any] | None,
) -> None:
    for element in sorted(set(new) - set(old)):
        result.added.append(ElementChange(element, new[element].get("bpmn_name") or element, "task"))
    for element in sorted(set(old) - set(new)):
        result.removed.append(ElementChange(element, old[element].get("bpmn_name") or element, "task"))
    for element in sorted(set(old) & set(new)):
        fields = _changed_fields(old[element], new[element])
        forms_changed = (
            old_forms is not None
            and new_forms is not None
            and any(old_forms.get(f) != new_forms.get(f) for f in _form_names(new[element]))
        )
        if forms_changed and "форма (содержимое)" not in fields:
            fields.append("форма (содержимое)")
        if fields:
            result.changed.append(
                ElementChange(element, new[element].get("bpmn_name") or element, "task", fields)
            )


def _flow_changes(
    result: SpecDiff, old_flows: dict[str, tuple[str, dict]], new_flows: dict[str, tuple[str, dict]]
) -> None:
    for flow in sorted(set(new_flows) - set(old_flows)):
        result.added.append(ElementChange(flow, new_flows[flow][0] or flow, "flow"))
    for flow in sorted(set(old_flows) - set(new_flows)):
        result.removed.append(ElementChange(flow, old_flows[flow][0] or flow, "flow"))
    labels = {"source": "откуда", "target": "куда", "condition": "условие"}
    for flow in sorted(set(old_flows) & set(new_flows)):
        before, after = old_flows[flow][1], new_flows[flow][1]
        fields = [labels[k] for k in before if before[k] != after[k]]
        if old_flows[flow][0] != new_flows[flow][0]:
            fields.append("название")
        if fields:
            result.changed.append(ElementChange(flow, new_flows[flow][0] or flow, "flow", fields))


def diff_specs(
    old_spec_json: str | None,
    new_spec_json: str,
    *,
    old_xml: str | None = None,
    new_xml: str | None = None,
    old_forms: dict[str, Any] | None = None,
    new_forms: dict[str, Any] | None = None,
) -> SpecDiff:
    """Elements added, removed and changed from the old version to the new one.

    Flows are compared only when both XML texts are given (``""`` stands for no old version).
    """
    result = SpecDiff()
    _task_changes(result, _task_specs(old_spec_json), _task_specs(new_spec_json), old_forms, new_forms)
    if old_xml is not None and new_xml is not None:
        _flow_changes(result, _flows(old_xml), _flows(new_xml))
    return result
