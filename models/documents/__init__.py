"""Documents and approvals: DOCX templates, documents with immutable versions, approval routes, sending.

Back office, lawyers and admins upload DOCX templates (checked before anything is stored,
``template_checks``); a document of a deal is generated from one (``documents``, filled the
Russian way by ``filling``/``russian``), versions are immutable with their SHA-256; the
approval route is ``processes/document_approval.bpmn`` with the route table
``document_route.dmn`` (``approval``, ``signoff``); sending goes by e-mail through the outbox
or through EDO (``sending``; the Diadoc client and its jobs live in ``integrations/edo``).
"""

from __future__ import annotations

from models.documents import access
from models.platform.registry import Registry


def register(registry: Registry) -> None:
    access.register(registry)
