"""Asking a deployed decision table directly, outside a running instance: ``ProcessEngine.decide``.

A DMN table is deployed with the process whose business rule task calls it, so it is
versioned, checked and sandboxed like the rest of the process. Domain code sometimes needs
the same table's answer before any instance exists — the base tariff a discount request
starts from, the approver level a form should announce, a test walking every band of an
authority matrix. ``decide`` evaluates the table of one business rule task (named by its
element id) of the latest version of a process, on the given data, in the same sandbox
the running process would use, and returns the outputs with the rule that fired. Nothing
is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.clock_bridge import using_clock
from engine.definitions import latest_definition
from engine.errors import EngineError, NotFound
from engine.serialization import definition_specs

if TYPE_CHECKING:
    from engine.runtime import Runtime


@dataclass(frozen=True)
class Decision:
    """What a decision table answered: its outputs and the rules that matched (id, description)."""

    outputs: dict[str, Any]
    rules: list[tuple[str, str]] = field(default_factory=list)

    @property
    def rule_id(self) -> str | None:
        """The first matching rule's id (the one a UNIQUE table used); None when nothing matched."""
        return self.rules[0][0] if self.rules else None

    @property
    def rule_description(self) -> str:
        return self.rules[0][1] if self.rules else ""


class _Probe:
    """The little of a task a decision table reads: data, its spec, a workflow with the script engine."""

    def __init__(self, data: dict, spec: Any, workflow: BpmnWorkflow) -> None:
        self.data = data
        self.task_spec = spec
        self.workflow = workflow


def _rule_task(specs: list[Any], element_id: str) -> Any:
    for spec in specs:
        task_spec = spec.task_specs.get(element_id) if spec is not None else None
        if task_spec is not None and hasattr(task_spec, "dmnEngine"):
            return task_spec
    return None


def decide(runtime: Runtime, process_key: str, element_id: str, data: dict[str, Any]) -> Decision:
    """The answer of business rule task ``element_id`` of process ``process_key`` for ``data``.

    ``NotFound`` when the process is not deployed or has no such business rule task;
    ``EngineError`` (Russian message) when a cell fails on the data.
    """
    definition = latest_definition(runtime.session, process_key)
    if definition is None:
        raise NotFound(f"Процесс «{process_key}» не развёрнут")
    spec, subprocess_specs = definition_specs(definition)
    task_spec = _rule_task([spec, *subprocess_specs.values()], element_id)
    if task_spec is None:
        raise NotFound(f"В процессе «{process_key}» нет таблицы решений «{element_id}»")
    workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=runtime._script_engine(None))
    probe = _Probe(dict(data), task_spec, workflow)
    engine = task_spec.dmnEngine
    try:
        with using_clock(runtime.clock):
            matched = engine.decide(probe)
            outputs = engine.result(probe) if matched else {}
    except SpiffWorkflowException as exc:
        raise EngineError(f"Таблица решений «{element_id}»: {exc}") from None
    return Decision(dict(outputs), [(rule.id, rule.description or "") for rule in matched])
