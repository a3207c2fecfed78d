"""Parsing and checking a deploy bundle (``engine.bundle``) before anything is stored.

Every diagram is parsed safely from its bytes (no entities), fed to SpiffWorkflow's Spiff
parser, and each executable process is checked: its forms are in the bundle and are JSON
Schemas, its service-task operations are registered and called with the parameters their
signatures take (``engine.operations.parameter_problems``), and every script and
expression (DMN cells included) passes the sandbox rules. The forms a process references
become part of it: they are stored with its version and counted in its content hash.
Problems are reported as ``DeployError`` naming the file, the element and the reason.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.specs.defaults import UserTask
from SpiffWorkflow.spiff.specs.mixins.service_task import ServiceTask

from engine import deploy_rules, event_subprocesses, operations
from engine.bundle import Bundle, form_name_problem
from engine.errors import DeployError
from engine.form_store import STORED_FLAG
from engine.forms import form_problem
from engine.sandbox import check_code
from engine.serialization import specs_to_json
from engine.xml_safety import UnsafeXml, parse_xml

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
# (xpath, mode) of code the sandbox must accept; the nearest ancestor with an id is reported.
_CODE_PATHS = (
    (".//bpmn:script", "exec"),
    (".//spiffworkflow:preScript", "exec"),
    (".//spiffworkflow:postScript", "exec"),
    (".//bpmn:conditionExpression", "eval"),
    (".//bpmn:timeDuration", "eval"),
    (".//bpmn:timeDate", "eval"),
    (".//bpmn:timeCycle", "eval"),
    (".//bpmn:loopCardinality", "eval"),
    (".//bpmn:completionCondition", "eval"),
    (".//spiffworkflow:payloadExpression", "eval"),
    (".//spiffworkflow:messagePayload", "eval"),
    (".//spiffworkflow:processVariableCorrelation/spiffworkflow:expression", "eval"),
    (".//bpmn:correlationPropertyRetrievalExpression/bpmn:formalExpression", "eval"),
)
# DMN cells (any DMN version): expressions, and input entries that may be a bare
# comparison (``>= 1000``), a value, or use ``?`` for the input.
_DMN_EXPRESSIONS = ".//*[local-name()='inputExpression' or local-name()='outputEntry']/*[local-name()='text']"
_DMN_ENTRIES = ".//*[local-name()='inputEntry']/*[local-name()='text']"


@dataclass
class ParsedProcess:
    """One checked process, ready to be stored: its spec, source, forms and content hash."""

    key: str
    name: str
    source_file: str
    source_xml: str
    spec: Any
    subprocess_specs: dict
    spec_json: str
    content_hash: str
    meta: dict = field(default_factory=dict)
    forms: dict[str, dict] = field(default_factory=dict)  # form name → parsed JSON (schemas and UI)


def content_hash(spec_json: str, forms: Mapping[str, dict]) -> str:
    """What makes a version: the spec and, when there are any, the forms it references.

    Without forms the hash is the spec's alone, as it was before forms were stored, so
    form-less processes deployed earlier stay unchanged.
    """
    text = spec_json
    if forms:
        text += "\n" + json.dumps(forms, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _element_id(node: Any) -> str | None:
    while node is not None:
        if node.get("id"):
            return node.get("id")
        node = node.getparent()
    return None


def _check_code(tree: etree._ElementTree, file: str) -> None:
    for xpath, mode in _CODE_PATHS:
        for node in tree.getroot().iterfind(xpath, NS):
            code = (node.text or "").strip()
            if not code:
                continue
            problem = check_code(code, mode)
            if problem and xpath == ".//bpmn:conditionExpression":
                problem = deploy_rules.condition_problem(problem)
            if problem:
                raise DeployError(file, _element_id(node), f"скрипт или выражение не допускается: {problem}")
    for param in tree.getroot().iterfind(".//spiffworkflow:parameter", NS):
        value = param.get("value")
        if value:
            problem = check_code(value, "eval")
            if problem:
                raise DeployError(file, _element_id(param), f"параметр «{param.get('id')}»: {problem}")
    for prop in tree.getroot().iterfind(".//spiffworkflow:property", NS):
        if prop.get("name") in ("assignee", "dueAt") and prop.get("value"):
            problem = check_code(prop.get("value"), "eval")
            if problem:
                raise DeployError(file, _element_id(prop), f"свойство «{prop.get('name')}»: {problem}")


def _check_dmn(tree: etree._ElementTree, file: str) -> None:
    for xpath, entry in ((_DMN_EXPRESSIONS, False), (_DMN_ENTRIES, True)):
        for node in tree.getroot().xpath(xpath):
            code = (node.text or "").strip()
            if not code or code == "-":
                continue
            problem = check_code(code.replace("?", "dmn_input"), "eval")
            if problem and entry and check_code(f"dmn_input {code}", "eval") is None:
                problem = None
            if problem:
                raise DeployError(file, _element_id(node),
                                  f"ячейка таблицы решений не допускается: {problem}")


def _read(name: str, content: bytes) -> etree._ElementTree:
    try:
        return parse_xml(content)
    except UnsafeXml as exc:
        raise DeployError(name, None, str(exc)) from None
    except etree.XMLSyntaxError as exc:
        raise DeployError(name, None, f"XML повреждён: {exc.msg} (строка {exc.lineno})") from None


def _element_at_line(tree: etree._ElementTree | None, line: Any) -> str | None:
    if tree is None or not line:
        return None
    for node in tree.getroot().iter():
        if node.sourceline == int(line):
            return _element_id(node)
    return None


def _validation_error(file: str, exc: ValidationException, tree: etree._ElementTree | None = None
                      ) -> DeployError:
    element = getattr(exc, "id", None) or _element_at_line(tree, getattr(exc, "line_number", None))
    message = deploy_rules.readable(str(exc))
    return DeployError(getattr(exc, "file_name", None) or file, element, message)


def _all_task_specs(spec: Any, subprocess_specs: dict) -> list[Any]:
    result = list(spec.task_specs.values())
    for sub in subprocess_specs.values():
        if sub is not None:
            result.extend(sub.task_specs.values())
    return result


class _Checker:
    """Checks the task specs of one process against the bundle's forms and the operations."""

    def __init__(self, bundle: Bundle, ops: Mapping[str, Callable[..., Any]]) -> None:
        self.bundle = bundle
        self.ops = ops

    def form(self, file: str, element: str, name: str, *, schema: bool) -> dict:
        problem = form_name_problem(name)
        content = self.bundle.forms.get(name)
        parsed, problem = (None, problem) if problem else form_problem(name, content, schema=schema)
        if problem:
            where = f" в {self.bundle.forms_origin}" if content is None and self.bundle.forms_origin else ""
            raise DeployError(file, element, problem + where)
        assert parsed is not None
        return parsed

    def operation(self, file: str, ts: Any) -> None:
        op = operations.get_operation(self.ops, ts.operation_name)
        if op is None:
            known = ", ".join(sorted(self.ops)) or "нет"
            raise DeployError(file, ts.bpmn_id,
                              f"операция «{ts.operation_name}» не зарегистрирована (есть: {known})")
        problems = operations.parameter_problems(op, ts.operation_params or {})
        if problems:
            parameter, reason = problems[0]
            raise DeployError(file, ts.bpmn_id, f"операция «{op.name}»: {reason}", parameter=parameter)

    def specs(self, file: str, task_specs: list[Any]) -> tuple[dict, dict[str, dict]]:
        """(meta about forms and operations, the referenced forms by name)."""
        schemas, ops = set(), set()
        forms: dict[str, dict] = {}
        for ts in task_specs:
            props = (getattr(ts, "extensions", None) or {}).get("properties", {})
            if isinstance(ts, UserTask):
                name = props.get("formJsonSchemaFilename")
                if name:
                    forms[name] = self.form(file, ts.bpmn_id, name, schema=True)
                    schemas.add(name)
                ui = props.get("formUiSchemaFilename")
                if ui:
                    forms[ui] = self.form(file, ts.bpmn_id, ui, schema=False)
            if isinstance(ts, ServiceTask):
                self.operation(file, ts)
                ops.add(ts.operation_name)
        return {"forms": sorted(schemas), "operations": sorted(ops), STORED_FLAG: True}, forms


def _start_meta(spec: Any) -> dict:
    meta: dict[str, Any] = {"message_starts": [], "timer_start": None}
    for ts in spec.task_specs.values():
        if not isinstance(ts, StartEvent):
            continue
        definition = getattr(ts, "event_definition", None)
        if isinstance(definition, MessageEventDefinition):
            meta["message_starts"].append(definition.name)
        elif isinstance(definition, TimerEventDefinition):
            meta["timer_start"] = {"element": ts.bpmn_id, "expression": definition.expression,
                                   "type": type(definition).__name__}
    return meta


def _interrupting_starts(trees: list[Any]) -> dict[str, bool]:
    """Start events of event subprocesses and whether they interrupt (BPMN default: yes)."""
    flags = {}
    xpath = ".//bpmn:subProcess[@triggeredByEvent='true']/bpmn:startEvent"
    for _path, tree in trees:
        for node in tree.getroot().iterfind(xpath, NS):
            flags[node.get("id")] = node.get("isInterrupting", "true").strip().lower() != "false"
    return flags


def _add_diagrams(parser: SpiffBpmnParser, bundle: Bundle) -> tuple[dict[str, str], list[Any]]:
    """Feed the bundle's DMN, then BPMN, to the parser; returns BPMN sources and trees by file."""
    sources: dict[str, str] = {}
    bpmn_trees = []
    for name in sorted(bundle.diagrams):
        if not name.endswith((".bpmn", ".dmn")):
            raise DeployError(name, None, "ожидается файл .bpmn или .dmn")
        content = bundle.diagrams[name]
        tree = _read(name, content)
        try:
            if name.endswith(".dmn"):
                _check_dmn(tree, name)
                parser.add_dmn_xml(tree.getroot(), filename=name)
            else:
                _check_code(tree, name)
                deploy_rules.check_named_events(tree, name)
                deploy_rules.check_user_tasks_reach_someone(tree, name)
                bpmn_trees.append((name, tree))
                sources[name] = content.decode("utf-8")
        except ValidationException as exc:
            raise _validation_error(name, exc, tree) from None
        except UnicodeDecodeError:
            raise DeployError(name, None, "файл не в кодировке UTF-8") from None
    for name, tree in bpmn_trees:
        try:
            parser.add_bpmn_xml(tree, filename=name)
        except ValidationException as exc:
            raise _validation_error(name, exc, tree) from None
    return sources, bpmn_trees


def parse_bundle(bundle: Bundle, ops: Mapping[str, Callable[..., Any]]) -> list[ParsedProcess]:
    """Parse and check everything, or raise ``DeployError`` for the first problem found."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    sources, bpmn_trees = _add_diagrams(parser, bundle)
    interrupting = _interrupting_starts(bpmn_trees)
    checker = _Checker(bundle, ops)
    result = []
    for key in sorted(parser.get_process_ids()):
        process_parser = parser.get_process_parser(key)
        file = Path(process_parser.filename).name
        try:
            spec = parser.get_spec(key)
            subprocess_specs = parser.get_subprocess_specs(key)
        except ValidationException as exc:
            raise _validation_error(file, exc) from None
        except Exception as exc:  # SpiffWorkflow raises plain errors for some broken models
            raise DeployError(file, key, deploy_rules.readable(f"{type(exc).__name__}: {exc}")) from None
        task_specs = _all_task_specs(spec, subprocess_specs)
        event_subprocesses.prepare([spec, *(s for s in subprocess_specs.values() if s is not None)],
                                   task_specs, interrupting)
        meta, forms = checker.specs(file, task_specs)
        meta.update(_start_meta(spec))
        meta["called"] = sorted(subprocess_specs)
        spec_json = specs_to_json(spec, subprocess_specs)
        result.append(ParsedProcess(
            key=key, name=process_parser.get_name() or key, source_file=file,
            source_xml=sources.get(file, ""), spec=spec, subprocess_specs=subprocess_specs,
            spec_json=spec_json, content_hash=content_hash(spec_json, forms), meta=meta, forms=forms,
        ))
    return result
