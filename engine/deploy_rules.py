"""Deploy-time rules found by public BPMN suites (issue 14, defect 5), checked on the XML.

- A signal or message event must name its signal or message: SpiffWorkflow accepts an
  unnamed one and the instance then fails at start (its subscription has no name).
- A user task must reach someone: a lane, ``candidateRole``/``candidateDepartment`` or an
  ``assignee``; otherwise it would sit in nobody's inbox.
- Conditions are Python: a FEEL/JUEL condition gets that said, not just «синтаксическая ошибка».
- SpiffWorkflow's own messages are English, sometimes with Python object dumps, sometimes
  several lines: they are shown whole, object dumps replaced by the element's id.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from engine.errors import DeployError

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
ROUTING_PROPERTIES = frozenset({"candidateRole", "candidateDepartment", "assignee"})
CONDITION_HINT = ("условия пишутся на Python, например: amount > 1000 and region == \"Москва\" "
                  "(FEEL и JUEL — ${…}, #{…}, = вместо == — не поддерживаются)")


def _element(node: Any) -> str | None:
    while node is not None:
        if node.get("id"):
            return node.get("id")
        node = node.getparent()
    return None


def check_named_events(tree: etree._ElementTree, file: str) -> None:
    """Every signal/message event definition refers to a signal/message that has a name."""
    root = tree.getroot()
    for kind, ref_attr, word in (("signal", "signalRef", "сигнал"), ("message", "messageRef", "сообщение")):
        names = {node.get("id"): (node.get("name") or "").strip()
                 for node in root.iterfind(f".//bpmn:{kind}", NS)}
        for definition in root.iterfind(f".//bpmn:{kind}EventDefinition", NS):
            ref = definition.get(ref_attr)
            if not ref or not names.get(ref):
                raise DeployError(file, _element(definition.getparent()),
                                  f"событие ссылается на {word} без имени: задайте {word} с именем "
                                  f"(по имени экземпляры его ждут и получают)")


def check_user_tasks_reach_someone(tree: etree._ElementTree, file: str) -> None:
    """Every user task has a lane, a candidate role or department, or an assignee expression."""
    root = tree.getroot()
    in_lanes = {(ref.text or "").strip() for ref in root.iterfind(".//bpmn:lane/bpmn:flowNodeRef", NS)}
    for task in root.iterfind(".//bpmn:userTask", NS):
        properties = {p.get("name") for p in task.iterfind(".//spiffworkflow:property", NS) if p.get("value")}
        if task.get("id") not in in_lanes and not properties & ROUTING_PROPERTIES:
            raise DeployError(file, task.get("id"),
                              "задача не попадёт ни в чьи входящие: поместите её в дорожку (lane) с "
                              "ролью или отделом либо задайте свойство candidateRole, candidateDepartment "
                              "или assignee")


def condition_problem(problem: str) -> str:
    """The sandbox's complaint about a condition, with the hint that conditions are Python."""
    if problem.startswith("синтаксическая ошибка"):
        return f"{problem}; {CONDITION_HINT}"
    return problem


_OBJECT_DUMP = re.compile(r"<(?:[\w.]+\.)?(\w+) object at 0x[0-9a-fA-F]+>")
_SPEC_REPR = re.compile(r"<\w+(?:Task|Event|Gateway|Spec)\w* ['\"]?([\w-]+)['\"]?>")


def readable(message: str) -> str:
    """SpiffWorkflow's message whole (all lines), without Python object dumps."""
    text = _OBJECT_DUMP.sub(lambda m: f"«{m.group(1)}»", message)
    text = _SPEC_REPR.sub(lambda m: f"«{m.group(1)}»", text)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    text = "; ".join(lines).rstrip(".")
    if text and text.isascii():
        return f"SpiffWorkflow не принял диаграмму: {text}"
    return text
