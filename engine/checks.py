"""Every problem of a deploy bundle at once, each on its element: the studio's markers.

``engine.parsing`` stops at the first problem, which is what a deploy needs. An analyst
wants all of them on the diagram, so this module walks the same checks and collects:
unsafe or broken XML (with the element that uses an entity), scripts and expressions the
sandbox refuses, SpiffWorkflow's own validation, unknown operations and wrong parameters,
missing or malformed forms, and user tasks that reach nobody's inbox (no assignee, no
known candidate role or department, no lane naming one). Last, the deploy's own parse
runs, so whatever it would refuse is on the list too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.specs.defaults import UserTask
from SpiffWorkflow.spiff.specs.mixins.service_task import ServiceTask

from engine import human_tasks, operations
from engine.bundle import Bundle, form_name_problem
from engine.errors import DeployError
from engine.forms import form_problem
from engine.kept_checks import checked_bundle
from engine.parsing import _CODE_PATHS, _DMN_ENTRIES, _DMN_EXPRESSIONS, NS
from engine.sandbox import check_code
from engine.xml_safety import UnsafeXml, parse_xml, safe_parser
from models.platform.roles import DEPARTMENTS, Role

_ENTITY = re.compile(rb"&([A-Za-z_][\w.-]*);")
_PREDEFINED = {b"amp", b"lt", b"gt", b"quot", b"apos"}
_DOCTYPE_BLOCK = re.compile(rb"<!DOCTYPE[^\[>]*(\[.*?\])?\s*>", re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    """One problem: the file, the element (None for the whole file), why, how bad."""

    file: str
    element: str | None
    message: str
    severity: str = "error"  # error | warning
    parameter: str | None = None
    source: str = "server"

    def as_dict(self) -> dict:
        return asdict(self)


def _element_id(node: Any) -> str | None:
    while node is not None:
        if node.get("id"):
            return node.get("id")
        node = node.getparent()
    return None


def entity_uses(content: bytes) -> list[tuple[str, str | None]]:
    """``(entity, element id)`` for each custom entity a document uses, found without a DTD.

    The DOCTYPE block is cut out and each ``&name;`` replaced by a marker, so the safe
    parser reads the rest and the marker's nearest element with an id names the place.
    """
    names = [m for m in _ENTITY.findall(content) if m not in _PREDEFINED]
    if not names:
        return []
    text = _DOCTYPE_BLOCK.sub(b"", content)
    text = _ENTITY.sub(
        lambda m: m.group(0) if m.group(1) in _PREDEFINED else b"ENTITY__" + m.group(1) + b"__", text
    )
    try:
        root = etree.fromstring(text, safe_parser())
    except etree.XMLSyntaxError:
        return [(n.decode(errors="replace"), None) for n in names]
    found: list[tuple[str, str | None]] = []
    for node in root.iter():
        values = [node.text or "", *(str(v) for v in node.attrib.values())]
        for name in names:
            if any(f"ENTITY__{name.decode()}__" in value for value in values):
                found.append((name.decode(errors="replace"), _element_id(node)))
    return found or [(n.decode(errors="replace"), None) for n in names]


def _xml_problems(name: str, content: bytes) -> tuple[etree._ElementTree | None, list[Problem]]:
    try:
        return parse_xml(content), []
    except UnsafeXml as exc:
        uses = entity_uses(content)
        if not uses:
            return None, [Problem(name, None, str(exc))]
        return None, [
            Problem(name, element, f"{exc}; сущность «{entity}» подставляется сюда")
            for entity, element in uses
        ]
    except etree.XMLSyntaxError as exc:
        return None, [Problem(name, None, f"XML повреждён: {exc.msg} (строка {exc.lineno})")]


def _dmn_problems(name: str, root: Any) -> list[Problem]:
    found: list[Problem] = []
    for xpath, entry in ((_DMN_EXPRESSIONS, False), (_DMN_ENTRIES, True)):
        for node in root.xpath(xpath):
            code = (node.text or "").strip()
            if not code or code == "-":
                continue
            problem = check_code(code.replace("?", "dmn_input"), "eval")
            if problem and entry and check_code(f"dmn_input {code}", "eval") is None:
                problem = None
            if problem:
                found.append(
                    Problem(name, _element_id(node), f"ячейка таблицы решений не допускается: {problem}")
                )
    return found


def _code_problems(name: str, tree: etree._ElementTree, dmn: bool) -> list[Problem]:
    root = tree.getroot()
    if dmn:
        return _dmn_problems(name, root)
    found: list[Problem] = []
    for xpath, mode in _CODE_PATHS:
        for node in root.iterfind(xpath, NS):
            code = (node.text or "").strip()
            problem = check_code(code, mode) if code else None
            if problem:
                found.append(
                    Problem(name, _element_id(node), f"скрипт или выражение не допускается: {problem}")
                )
    for param in root.iterfind(".//spiffworkflow:parameter", NS):
        value = param.get("value")
        problem = check_code(value, "eval") if value else None
        if problem:
            found.append(
                Problem(
                    name,
                    _element_id(param),
                    f"параметр «{param.get('id')}»: {problem}",
                    parameter=param.get("id"),
                )
            )
    for prop in root.iterfind(".//spiffworkflow:property", NS):
        value = prop.get("value")
        problem = check_code(value, "eval") if prop.get("name") in ("assignee", "dueAt") and value else None
        if problem:
            found.append(Problem(name, _element_id(prop), f"свойство «{prop.get('name')}»: {problem}"))
    return found


def _validation(name: str, exc: ValidationException) -> Problem:
    message = str(exc).split("\n")[0].strip().rstrip(".")
    return Problem(getattr(exc, "file_name", None) or name, getattr(exc, "id", None), message)


def _form(bundle: Bundle, file: str, element: str, name: str, *, schema: bool) -> Problem | None:
    problem = form_name_problem(name)
    if problem is None:
        _parsed, problem = form_problem(name, bundle.forms.get(name), schema=schema)
    return Problem(file, element, problem) if problem else None


def _inbox_problem(file: str, spec: Any) -> Problem | None:
    """Why a user task would reach nobody's inbox (or an unknown queue), or None."""
    props = (getattr(spec, "extensions", None) or {}).get("properties", {})
    role, department = human_tasks.candidates(spec)
    declared_role = props.get("candidateRole")
    if declared_role and declared_role not in {r.value for r in Role}:
        return Problem(
            file, spec.bpmn_id, f"роль «{declared_role}» неизвестна: задача не попадёт ни в одну очередь"
        )
    declared_dept = props.get("candidateDepartment")
    if declared_dept and declared_dept not in DEPARTMENTS:
        return Problem(
            file, spec.bpmn_id, f"отдел «{declared_dept}» неизвестен: задача не попадёт ни в одну очередь"
        )
    if not props.get("assignee") and not role and not department:
        lane = getattr(spec, "lane", None)
        why = f"дорожка «{lane}» не называет роль или отдел" if lane else "нет дорожки"
        return Problem(
            file,
            spec.bpmn_id,
            f"задача не попадёт ни в чьи входящие: не задан исполнитель, роль или отдел, и {why}",
        )
    return None


def _spec_problems(
    bundle: Bundle, ops: Mapping[str, Callable[..., Any]], file: str, task_specs: list[Any]
) -> list[Problem]:
    found: list[Problem] = []
    for ts in task_specs:
        props = (getattr(ts, "extensions", None) or {}).get("properties", {})
        if isinstance(ts, UserTask):
            for prop, schema in (("formJsonSchemaFilename", True), ("formUiSchemaFilename", False)):
                if props.get(prop):
                    problem = _form(bundle, file, ts.bpmn_id, props[prop], schema=schema)
                    if problem:
                        found.append(problem)
            inbox = _inbox_problem(file, ts)
            if inbox:
                found.append(inbox)
        if isinstance(ts, ServiceTask):
            op = operations.get_operation(ops, ts.operation_name)
            if op is None:
                found.append(Problem(file, ts.bpmn_id, f"операция «{ts.operation_name}» не зарегистрирована"))
                continue
            for parameter, reason in operations.parameter_problems(op, ts.operation_params or {}):
                found.append(
                    Problem(file, ts.bpmn_id, f"операция «{op.name}»: {reason}", parameter=parameter)
                )
    return found


def _process_problems(
    parser: SpiffBpmnParser, bundle: Bundle, ops: Mapping[str, Callable[..., Any]]
) -> list[Problem]:
    from pathlib import Path

    found: list[Problem] = []
    for key in sorted(parser.get_process_ids()):
        file = Path(parser.get_process_parser(key).filename).name
        try:
            spec = parser.get_spec(key)
            subprocess_specs = parser.get_subprocess_specs(key)
        except ValidationException as exc:
            found.append(_validation(file, exc))
            continue
        except Exception as exc:  # SpiffWorkflow raises plain errors for some broken models
            found.append(Problem(file, key, f"{type(exc).__name__}: {exc}"))
            continue
        task_specs = list(spec.task_specs.values())
        for sub in subprocess_specs.values():
            if sub is not None:
                task_specs.extend(sub.task_specs.values())
        found.extend(_spec_problems(bundle, ops, file, task_specs))
    return found


def check_bundle(bundle: Bundle, ops: Mapping[str, Callable[..., Any]]) -> list[Problem]:
    """All problems of ``bundle`` (empty when a deploy would accept it)."""
    found: list[Problem] = []
    parser = SpiffBpmnParser(validator=VALIDATOR)
    bpmn: list[tuple[str, etree._ElementTree]] = []
    fatal = False  # the diagrams could not be read or parsed: nothing further to check
    for name in sorted(bundle.diagrams):
        tree, problems = _xml_problems(name, bundle.diagrams[name])
        found.extend(problems)
        if tree is None:
            fatal = True
            continue
        found.extend(_code_problems(name, tree, name.endswith(".dmn")))
        try:
            if name.endswith(".dmn"):
                parser.add_dmn_xml(tree.getroot(), filename=name)
            else:
                bpmn.append((name, tree))
        except ValidationException as exc:
            fatal = True
            found.append(_validation(name, exc))
    for name, tree in bpmn:
        try:
            parser.add_bpmn_xml(tree, filename=name)
        except ValidationException as exc:
            fatal = True
            found.append(_validation(name, exc))
    if not fatal:
        found.extend(_process_problems(parser, bundle, ops))
    if not any(p.severity == "error" for p in found):
        try:
            checked_bundle(bundle, ops)  # kept: the deploy that follows a clean check parses nothing
        except DeployError as exc:
            found.append(Problem(exc.file, exc.element, exc.reason, parameter=exc.parameter))
    return _unique(found)


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple] = set()
    result = []
    for problem in problems:
        key = (problem.file, problem.element, problem.message)
        if key not in seen:
            seen.add(key)
            result.append(problem)
    return result
