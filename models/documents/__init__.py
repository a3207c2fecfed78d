"""Documents and approvals: DOCX templates, documents with immutable versions, approval routes, sending.

Back office, lawyers and admins upload DOCX templates (checked before anything is stored,
``template_checks``); a document of a deal is generated from one (``documents``, filled the
Russian way by ``filling``/``russian``), versions are immutable with their SHA-256; the
approval route is ``processes/document_approval.bpmn`` with the route table
``document_route.dmn`` (``approval``, ``signoff``); sending goes by e-mail through the outbox
or through EDO (``sending``; the Diadoc client and its jobs live in ``integrations/edo``).
"""

from __future__ import annotations

from sqlalchemy import Select, select

from models.documents import access, demo, operations
from models.documents.approval import PROCESS
from models.documents.pages import task_panel
from models.documents.signoff import check_task
from models.documents.tables import Document
from models.platform.registry import LabelIds, Registry
from models.tasks.hooks import declare_check, declare_panel


def document_label_rows(ids: LabelIds) -> Select:
    return select(Document.id, Document.title).where(Document.id.in_(ids))


def document_label(document_id: int, title: str | None) -> str:
    return title or f"Документ №{document_id}"


def register(registry: Registry) -> None:
    access.register(registry)
    operations.register(registry)
    registry.labeler("document", document_label_rows, document_label)
    declare_panel(registry, PROCESS, task_panel)
    declare_check(registry, PROCESS, check_task)
    registry.demo_seed("documents", demo.seed_documents)
