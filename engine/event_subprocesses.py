"""Event subprocesses as BPMN means them, on top of SpiffWorkflow 3.2.

SpiffWorkflow starts an event subprocess when its start event fires, but then treats it
as one more parallel branch: an interrupting start (``isInterrupting``, the default) does
not cancel the main flow, and the process's end waits for every event subprocess, even
one whose start event never fired, so such a process never completes. ``settle`` fixes
both after each round of engine steps:

- once an interrupting event subprocess has fired, every other unfinished branch of its
  (sub)process is cancelled — the main flow's open tasks and the other event subprocesses;
- once the main flow has reached its end, event subprocesses that never fired are
  withdrawn, and the process end is re-checked. Fired, non-interrupting ones still run
  to their end first.

At deploy time (``prepare``) every event subprocess is made to start with its process,
its start event waiting like any catch event: SpiffWorkflow would otherwise create
message- and signal-started ones only when such an event arrives, which leaves no waiting
task to subscribe with and rewires the (shared, cached) spec at run time. Whether a start
event interrupts is read from the XML then too (SpiffWorkflow does not parse
``isInterrupting``) and kept in the spec's extensions as ``interrupting``.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.util.task import TaskState

INTERRUPTING = "interrupting"


def prepare(process_specs: list[Any], task_specs: list[Any], interrupting: dict[str, bool]) -> None:
    """Deploy-time changes to freshly parsed specs (see the module docstring)."""
    for ts in task_specs:
        if isinstance(ts, StartEvent) and ts.bpmn_id in interrupting and hasattr(ts, "extensions"):
            ts.extensions[INTERRUPTING] = interrupting[ts.bpmn_id]
    for wf_spec in process_specs:
        start = wf_spec.start
        for name in list(getattr(start, "trigger_specs", [])):
            task_spec = wf_spec.task_specs[name]
            if task_spec not in start.outputs:
                start.connect(task_spec)
                task_spec.connect(wf_spec.end)
        if getattr(start, "trigger_specs", None):
            start.trigger_specs.clear()


def _fired_start(top: Any, task: Any) -> Any:
    """The start event task that fired inside event subprocess ``task``, or None."""
    sub = top.subprocesses.get(task.id)
    if sub is None:
        return None
    for child in sub.task_tree.children:
        if isinstance(child.task_spec, StartEvent) and child.state in (
                TaskState.READY, TaskState.STARTED, TaskState.COMPLETED):
            return child
    return None


def _interrupts(start: Any) -> bool:
    extensions = getattr(start.task_spec, "extensions", None) or {}
    return bool(extensions.get(INTERRUPTING, True))


def _only_end_left(task: Any, end_names: set[str]) -> bool:
    """True if nothing but the process end is unfinished in the branch under ``task``."""
    if not task.has_state(TaskState.FINISHED_MASK) and task.task_spec.name not in end_names:
        return False
    return all(_only_end_left(child, end_names) for child in task.children)


def _cancel_branch(task: Any) -> bool:
    """Cancel what is unfinished under ``task`` (itself included); True if anything was."""
    if not task.has_state(TaskState.FINISHED_MASK):
        task.cancel()
        return True
    return any([_cancel_branch(child) for child in list(task.children)])


def _interrupt(workflow: Any, root: Any, event_subs: list[Any]) -> bool:
    top = workflow.top_workflow
    changed = False
    for task in event_subs:
        start = _fired_start(top, task)
        if start is None or not _interrupts(start):
            continue
        for other in root.children:
            if other is not task:
                changed |= _cancel_branch(other)
    if changed:
        _recheck_end(workflow)
    return changed


def _recheck_end(workflow: Any) -> None:
    """The process end waits for everything unfinished; ask it again after cancelling."""
    for task in workflow.get_tasks(state=TaskState.WAITING | TaskState.FUTURE,
                                   spec_name=workflow.spec.end.name):
        task.task_spec._update(task)


def _withdraw_unfired(workflow: Any, root: Any, event_subs: list[Any]) -> bool:
    end_names = {workflow.spec.end.name, "End"}
    main = [c for c in root.children if not isinstance(c.task_spec, SubWorkflowTask)]
    if not all(_only_end_left(c, end_names) for c in main):
        return False
    changed = False
    for task in event_subs:
        if not task.has_state(TaskState.FINISHED_MASK) and _fired_start(workflow.top_workflow, task) is None:
            task.cancel()
            changed = True
    if changed:
        _recheck_end(workflow)
    return changed


def _settle_one(workflow: Any) -> bool:
    root = workflow.task_tree
    if root is None:
        return False
    # The root's children are the main flow's start event(s) and, for each event
    # subprocess, a subprocess task (the Spiff parser does not always give these its
    # EventSubprocess class, so they are recognised by where they sit).
    event_subs = [c for c in root.children if isinstance(c.task_spec, SubWorkflowTask)]
    if not event_subs:
        return False
    changed = _interrupt(workflow, root, event_subs)
    return _withdraw_unfired(workflow, root, event_subs) or changed


def settle(workflow: Any) -> bool:
    """Apply the rules above to the process and its embedded subprocesses; True if changed."""
    changed = False
    for sub in list(workflow.subprocesses.values()):
        changed |= _settle_one(sub)
    return _settle_one(workflow) or changed
