"""Storing workflows: the spec once per definition version, the state per instance.

SpiffWorkflow's serializer puts the whole spec into every serialized workflow (about
half its size). Here the spec and subprocess specs are serialized once at deploy time
and kept in ``process_definition.spec_json``; an instance stores only its state. Specs
are restored once per process and cached, since they never change after deployment.
The state format is pinned (``STATE_FORMAT``) so that future upgrades of stored state are
explicit, not whatever the library version does.
"""

from __future__ import annotations

import json
import threading
from datetime import date
from decimal import Decimal
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.task_walk import CrmWorkflow

STATE_FORMAT = "crm-1/spiff-1.5"


class SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Serializes a top-level workflow without its specs; restores it with given specs, as the
    engine's ``CrmWorkflow`` (``engine.task_walk``) under the library's type name."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict, spec: Any = None, subprocess_specs: Any = None,
                  workflow_class: type[BpmnWorkflow] = CrmWorkflow) -> BpmnWorkflow:
        from uuid import UUID

        workflow = workflow_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _build_registry() -> Any:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = SpeclessWorkflowConverter
    registry = BpmnWorkflowSerializer.configure(config)
    registry.typenames[CrmWorkflow] = registry.typenames[BpmnWorkflow]  # stored as the library's
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))
    registry.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]))
    return registry


_local = threading.local()


def _registry() -> Any:
    """One registry per thread: SpiffWorkflow's encoder mode is a flag on the registry."""
    registry = getattr(_local, "registry", None)
    if registry is None:
        registry = _local.registry = _build_registry()
        _local.serializer = BpmnWorkflowSerializer(registry)
    return registry


def _encoder_cls() -> Any:
    _registry()
    return _local.serializer._encoder_cls


_spec_cache: dict[str, tuple[Any, dict]] = {}
_cache_lock = threading.Lock()


def specs_to_json(spec: Any, subprocess_specs: dict) -> str:
    """The deploy-time serialization of a process spec and the specs it calls."""
    registry = _registry()
    return json.dumps(
        {"spec": registry.convert(spec),
         "subprocess_specs": {name: registry.convert(s) for name, s in subprocess_specs.items()}},
        sort_keys=True, ensure_ascii=False,
    )


def definition_specs(definition: Any) -> tuple[Any, dict]:
    """Restored specs of a ``ProcessDefinition``, cached for the life of the process.

    ``spec_json`` is read only on a cache miss, so a caller holding a definition row whose
    large text columns are deferred never loads them on the hot path.
    """
    key = definition.content_hash  # names the spec itself; row ids are reused across databases
    cached = _spec_cache.get(key)
    if cached is not None:
        return cached
    data = json.loads(definition.spec_json)
    registry = _registry()
    spec = registry.restore(data["spec"])
    subprocess_specs = {name: registry.restore(s) for name, s in data["subprocess_specs"].items()}
    with _cache_lock:
        _spec_cache[key] = (spec, subprocess_specs)
    return spec, subprocess_specs


def state_to_json(workflow: BpmnWorkflow) -> str:
    """The instance state without specs, tagged with the pinned format."""
    registry = _registry()
    registry._encoder_mode = True  # converts task data deltas lazily in the JSON encoder
    try:
        dct = registry.convert(workflow)
        dct["format"] = STATE_FORMAT
        return json.dumps(dct, cls=_encoder_cls(), ensure_ascii=False, separators=(",", ":"))
    finally:
        registry._encoder_mode = False


def workflow_from_state(state_json: str, spec: Any, subprocess_specs: dict, *,
                        workflow_class: type[BpmnWorkflow] = CrmWorkflow) -> BpmnWorkflow:
    """An instance's workflow from its stored state and its version's specs (refuses other formats).

    The engine's own class by default; ``workflow_class=BpmnWorkflow`` gives the library's, as the
    engine bench's baseline needs (bare SpiffWorkflow, without ``engine.task_walk``)."""
    dct = json.loads(state_json)
    found = dct.pop("format", None)
    if found != STATE_FORMAT:
        raise ValueError(f"unsupported stored workflow format {found!r}; expected {STATE_FORMAT}")
    return _registry().restore(dct, spec=spec, subprocess_specs=subprocess_specs,
                               workflow_class=workflow_class)
