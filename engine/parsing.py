"""Parsing and checking BPMN/DMN files before anything is stored.

Every file is parsed safely (no entities), fed to SpiffWorkflow's Spiff parser, and each
executable process is checked: its forms exist and are JSON Schemas, its service-task
operations are registered, and every script and expression (DMN cells included) passes
the sandbox rules.
Problems are reported as ``DeployError`` naming the file, the element and the reason.
"""

from __future__ import annotations

import hashlib
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

from engine import event_subprocesses, operations
from engine.errors import DeployError
from engine.forms import schema_problem
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
    key: str
    name: str
    source_file: str
    source_xml: str
    spec: Any
    subprocess_specs: dict
    spec_json: str
    content_hash: str
    meta: dict = field(default_factory=dict)


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


def collect_files(paths: list[Path]) -> list[Path]:
    """Expand folders into their ``.bpmn``/``.dmn`` files, sorted for repeatable deploys."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in (".bpmn", ".dmn")))
        elif path.is_file():
            if path.suffix not in (".bpmn", ".dmn"):
                raise DeployError(str(path), None, "ожидается файл .bpmn или .dmn")
            files.append(path)
        else:
            raise DeployError(str(path), None, "файл или каталог не найден")
    return files


def _read(path: Path) -> tuple[bytes, etree._ElementTree]:
    content = path.read_bytes()
    try:
        return content, parse_xml(content)
    except UnsafeXml as exc:
        raise DeployError(path.name, None, str(exc)) from None
    except etree.XMLSyntaxError as exc:
        raise DeployError(path.name, None, f"XML повреждён: {exc.msg} (строка {exc.lineno})") from None


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
    message = str(exc).split("\n")[0].strip().rstrip(".")
    return DeployError(getattr(exc, "file_name", None) or file, element, message)


def _all_task_specs(spec: Any, subprocess_specs: dict) -> list[Any]:
    result = list(spec.task_specs.values())
    for sub in subprocess_specs.values():
        if sub is not None:
            result.extend(sub.task_specs.values())
    return result


def _check_specs(file: str, task_specs: list[Any], forms_dir: Path) -> dict:
    forms, ops = set(), set()
    for ts in task_specs:
        props = (getattr(ts, "extensions", None) or {}).get("properties", {})
        if isinstance(ts, UserTask):
            form = props.get("formJsonSchemaFilename")
            if form:
                problem = schema_problem(forms_dir, form)
                if problem:
                    raise DeployError(file, ts.bpmn_id, problem)
                forms.add(form)
            ui = props.get("formUiSchemaFilename")
            if ui and not (forms_dir / ui).is_file():
                raise DeployError(file, ts.bpmn_id, f"файл подсказок формы «{ui}» не найден")
        if isinstance(ts, ServiceTask):
            if operations.get_operation(ts.operation_name) is None:
                known = ", ".join(operations.operation_names()) or "нет"
                raise DeployError(file, ts.bpmn_id,
                                  f"операция «{ts.operation_name}» не зарегистрирована (есть: {known})")
            ops.add(ts.operation_name)
    return {"forms": sorted(forms), "operations": sorted(ops)}


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


def parse_files(paths: list[Path], forms_dir: Path) -> list[ParsedProcess]:
    """Parse and check everything, or raise ``DeployError`` for the first problem found."""
    files = collect_files(paths)
    parser = SpiffBpmnParser(validator=VALIDATOR)
    sources: dict[str, str] = {}
    bpmn_trees = []
    for path in files:
        content, tree = _read(path)
        try:
            if path.suffix == ".dmn":
                _check_dmn(tree, path.name)
                parser.add_dmn_xml(tree.getroot(), filename=path.name)
            else:
                _check_code(tree, path.name)
                bpmn_trees.append((path, tree))
                sources[path.name] = content.decode("utf-8")
        except ValidationException as exc:
            raise _validation_error(path.name, exc, tree) from None
    for path, tree in bpmn_trees:
        try:
            parser.add_bpmn_xml(tree, filename=path.name)
        except ValidationException as exc:
            raise _validation_error(path.name, exc, tree) from None

    interrupting = _interrupting_starts(bpmn_trees)
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
            raise DeployError(file, key, f"{type(exc).__name__}: {exc}") from None
        task_specs = _all_task_specs(spec, subprocess_specs)
        event_subprocesses.prepare([spec, *(s for s in subprocess_specs.values() if s is not None)],
                                   task_specs, interrupting)
        meta = _check_specs(file, task_specs, forms_dir)
        meta.update(_start_meta(spec))
        meta["called"] = sorted(subprocess_specs)
        spec_json = specs_to_json(spec, subprocess_specs)
        result.append(ParsedProcess(
            key=key, name=process_parser.get_name() or key, source_file=file,
            source_xml=sources.get(file, ""), spec=spec, subprocess_specs=subprocess_specs,
            spec_json=spec_json, content_hash=hashlib.sha256(spec_json.encode()).hexdigest(),
            meta=meta,
        ))
    return result
