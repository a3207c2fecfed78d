"""The process engine: BPMN/DMN on SpiffWorkflow, persisted in the CRM database.

Only this package imports SpiffWorkflow. Public entry points:
``definitions.deploy`` (files to versions), ``runtime.ProcessEngine`` (start, complete,
cancel), ``steps`` (timers, messages, incident retry), ``messages`` (send/broadcast),
``jobs`` (scheduler work), ``outbox`` (side effects after commit), ``migration``.
"""

from engine import clock_bridge  # noqa: F401  (SpiffWorkflow timers read the engine clock)
