"""Collaboration: one client timeline, requests between departments, discussions with marks, NPS.

- ``timeline`` merges the sources packages declare (``declare_timeline_source``; this
  package's are in ``timeline_sources`` and ``request_timeline``) into one keyset-paged feed
  per client and per deal, field changes grouped and in Russian (``field_history``);
- ``requests``/``request_service``/``request_operations``: requests between departments on
  ``processes/department_request.bpmn`` with the SLA from ``department_request_sla.dmn``;
- ``comments``: «решение»/«пример» marks on the one comment implementation
  (``models.tasks.comments``), and the ``comment`` search source.
"""

from __future__ import annotations

from models.collaboration import demo, request_access, request_operations, timeline_sources
from models.collaboration.comments import comment_text
from models.collaboration.request_service import task_panel
from models.collaboration.request_timeline import SOURCE as REQUEST_SOURCE
from models.collaboration.requests import PROCESS, DepartmentRequest, request_label, request_label_rows
from models.collaboration.timeline import declare_timeline_source
from models.platform.registry import Registry
from models.search.sources import TextSource, declare_guard, declare_source
from models.tasks.comments import Comment
from models.tasks.hooks import declare_panel


def register(registry: Registry) -> None:
    request_access.register(registry)
    request_operations.register(registry)
    timeline_sources.register(registry)
    declare_timeline_source(registry, REQUEST_SOURCE)
    registry.labeler("department_request", request_label_rows, request_label)
    declare_panel(registry, PROCESS, task_panel)
    declare_source(registry, TextSource("comment", "Комментарий", Comment, comment_text,
                                        frozenset({"body", "object_type", "object_id"})))
    declare_guard(registry, "department_request", DepartmentRequest)
    registry.demo_seed("collaboration", demo.seed_collaboration)
