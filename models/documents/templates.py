"""Templates: upload (checked before anything is stored), versions of a template, preview against a deal."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, undefer

from models.documents.access import require_deal, require_template_manager
from models.documents.errors import DocumentError, form_error
from models.documents.filling import docx_paragraphs, fill_data, render
from models.documents.kinds import KINDS
from models.documents.tables import ClientDocumentDetails, DocumentTemplate, TemplateVersion
from models.documents.template_checks import check_template
from models.identity.users import User
from models.platform.errors import NotFound


def _clean_name(filename: str | None) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:200] or "template.docx"


def upload_template(
    session: Session,
    user: User,
    *,
    kind: str,
    name: str,
    filename: str,
    data: bytes,
    now: datetime,
    template_id: int | None = None,
) -> TemplateVersion:
    """A new template (or a new version of ``template_id``) after every check; nothing stored on refusal.

    Raises ``DocumentError`` for missing fields and ``TemplateRefused`` for a bad file.
    """
    require_template_manager(user)
    template = None
    if template_id is not None:
        template = session.get(DocumentTemplate, template_id)
        if template is None:
            raise NotFound("Шаблон не найден")
    else:
        errors: dict[str, list[str]] = {}
        if kind not in KINDS:
            errors["kind"] = ["Выберите вид документа: " + ", ".join(KINDS.values())]
        if not (name or "").strip():
            errors["name"] = ["Укажите название шаблона"]
        if errors:
            raise DocumentError(errors)
    report = check_template(data, _clean_name(filename))
    if template is None:
        template = DocumentTemplate(kind=kind, name=name.strip()[:300], created_by_id=user.id, created_at=now)
        session.add(template)
    number = (template.latest.number if template.latest else 0) + 1
    version = TemplateVersion(
        number=number,
        filename=_clean_name(filename),
        content=data,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        placeholders=report.placeholders,
        uploaded_by_id=user.id,
        created_at=now,
    )
    template.versions.append(version)
    session.flush()
    return version


def template_list(session: Session, kind: str | None = None) -> list[DocumentTemplate]:
    """The templates by kind and name, with their versions (without the files) and who uploaded each:
    the templates page lists them all, which read the versions one template at a time."""
    stmt = (select(DocumentTemplate)
            .options(selectinload(DocumentTemplate.versions).joinedload(TemplateVersion.uploaded_by))
            .order_by(DocumentTemplate.kind, DocumentTemplate.name))
    if kind:
        stmt = stmt.where(DocumentTemplate.kind == kind)
    return list(session.scalars(stmt))


def template_content(session: Session, version_id: int) -> TemplateVersion:
    version = session.scalar(
        select(TemplateVersion)
        .options(undefer(TemplateVersion.content))
        .where(TemplateVersion.id == version_id)
    )
    if version is None:
        raise NotFound("Версия шаблона не найдена")
    return version


def latest_template(session: Session, kind: str, template_id: int | None = None) -> TemplateVersion:
    """The latest version of ``template_id``, else of the newest template of ``kind``."""
    if template_id is not None:
        template = session.get(DocumentTemplate, template_id)
        if template is None or template.kind != kind:
            raise form_error("Шаблон не найден для этого вида документа", "template_id")
    else:
        template = session.scalar(
            select(DocumentTemplate)
            .where(DocumentTemplate.kind == kind)
            .order_by(DocumentTemplate.id.desc())
            .limit(1)
        )
        if template is None:
            raise form_error(
                f"Нет шаблона вида «{KINDS.get(kind, kind)}»: загрузите его на странице шаблонов",
                "template_id",
            )
    if template.latest is None:
        raise form_error("У шаблона нет версий", "template_id")
    return template_content(session, template.latest.id)


@dataclass(frozen=True)
class Preview:
    template: DocumentTemplate
    paragraphs: list[str]


def preview_template(
    session: Session, user: User, template_id: int, deal_id: object, now: datetime
) -> Preview:
    """The template rendered against a chosen deal (nothing stored; the number is a sample)."""
    require_template_manager(user)
    template = session.get(DocumentTemplate, template_id)
    if template is None or template.latest is None:
        raise NotFound("Шаблон не найден")
    deal = require_deal(session, user, deal_id)
    version = template_content(session, template.latest.id)
    data = fill_data(
        kind=template.kind,
        number="(образец)",
        on=now.date(),
        client=deal.client,
        deal=deal,
        details=session.get(ClientDocumentDetails, deal.client_id),
        manager=deal.owner,
        discount=deal.requested_discount,
    )
    return Preview(template, docx_paragraphs(render(version.content, data)))
