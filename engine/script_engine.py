"""The SpiffWorkflow script engine of the CRM: sandboxed scripts and registered operations.

It replaces SpiffWorkflow's plain ``exec``/``eval`` with the RestrictedPython sandbox and
its ``call_service`` (which hides errors) with a dispatch to the operation registry. An
operation's ``BpmnErrorRaised`` is passed on as the task failure's cause, so the engine
can throw it as a BPMN error (``engine.bpmn_errors``).
The engine re-attaches one of these to every workflow it loads.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine import operations, sandbox
from engine.errors import BpmnErrorRaised, EngineError, OperationError, ScriptError
from engine.jsonable import to_jsonable
from engine.sandbox_budget import DEFAULT_LIMITS, Limits


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluates expressions and runs scripts inside ``engine.sandbox``."""

    def __init__(self, helpers: dict[str, Any] | None = None, limits: Limits = DEFAULT_LIMITS) -> None:
        super().__init__(helpers or {})
        self.limits = limits

    def evaluate(self, expression: str, context: dict, external_context: dict | None = None) -> Any:
        extra = dict(self.globals)
        extra.update(external_context or {})
        return sandbox.evaluate(expression, context, extra, self.limits)

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        extra = dict(self.globals)
        extra.update(external_context or {})
        sandbox.run_script(script, context, extra, self.limits)
        return True


@lru_cache(maxsize=4096)
def _syntax_error(expression: str) -> tuple | None:
    """The arguments of the ``SyntaxError`` parsing ``expression`` raises, or None if it parses."""
    try:
        ast.parse(expression)
    except SyntaxError as exc:
        return exc.args
    return None


class CrmScriptEngine(PythonScriptEngine):
    """Script engine bound to one step: its operation context, clock and helpers."""

    def __init__(self, context: operations.OperationContext, ops: Mapping[str, Callable[..., Any]],
                 helpers: dict[str, Any] | None = None) -> None:
        clock = context.clock
        base: dict[str, Any] = {"now": clock.now, "today": lambda: clock.now().date()}
        base.update(helpers or {})
        limits = Limits.from_settings(context.settings)
        super().__init__(environment=SandboxEnvironment(base, limits))
        self.context = context
        self.ops = ops

    def validate(self, expression: str) -> None:
        """``SyntaxError`` if ``expression`` does not parse. SpiffWorkflow's DMN engine asks this
        of every rule entry on every decision (one or two ``ast.parse`` per entry, 1 % of a
        ``bench_lead`` step); an entry's text never changes, so each answer is kept."""
        problem = _syntax_error(expression)
        if problem is not None:
            raise SyntaxError(*problem)

    def evaluate(self, task: Any, expression: str, external_context: dict | None = None) -> Any:
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except (ScriptError, EngineError) as exc:
            raise WorkflowTaskException(exc.message, task=task, exception=exc) from exc
        except Exception as exc:
            raise WorkflowTaskException(
                f"Ошибка в выражении «{expression}»: {type(exc).__name__}: {exc}",
                task=task, exception=exc,
            ) from exc

    def execute(self, task: Any, script: str, external_context: dict | None = None) -> bool:
        try:
            return self.environment.execute(script, task.data, external_context or {})
        except Exception as exc:
            raise self.create_task_exec_exception(task, script, exc) from exc

    def call_service(self, task: Any, operation_name: str | None = None,
                     operation_params: dict | None = None, **kwargs: Any) -> str:
        """Dispatch to a registered operation; the result is returned as JSON text."""
        params = {name: spec["value"] for name, spec in (operation_params or {}).items()}
        try:
            result = operations.call(self.ops, operation_name or "", self.context, params)
        except (OperationError, BpmnErrorRaised) as exc:
            raise WorkflowTaskException(exc.message, task=task, exception=exc) from exc
        except Exception as exc:
            error = OperationError(f"{type(exc).__name__}: {exc}", transient=False)
            raise WorkflowTaskException(error.message, task=task, exception=error) from exc
        return json.dumps(to_jsonable(result), ensure_ascii=False)
