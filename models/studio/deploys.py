"""Validate, preview and deploy a draft from the studio; every deploy says who, when and why.

Validation is the engine's full check of the draft's bundle (``ProcessEngine.check``): every
problem on its element. The preview before deploying is the diff against the latest
version and what would happen to running instances (which could migrate, which stay).
Deploying needs ``DEPLOY_PROCESSES`` and a comment; a draft with any error — unsafe XML
(XXE), a script escaping the sandbox, an unknown operation … — is refused with the
elements named and nothing stored. The ``studio_deployment`` row (audited, with the
comment as the audit reason) keeps the files deployed, so the studio and ``crm process
export`` give back exactly what was deployed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.api import ProcessEngine
from engine.errors import DeployError
from engine.parsing import NS
from engine.spec_diff import SpecDiff
from engine.xml_safety import parse_xml
from models.identity.users import User
from models.platform.audit import acting_as
from models.platform.permissions import Permission, require
from models.platform.settings import Settings
from models.studio import drafts
from models.studio.catalog import decisions
from models.studio.errors import StudioError
from models.studio.tables import Deployment

MAX_COMMENT = 2000


def _problems(engine: ProcessEngine, bundle: drafts.Bundle) -> list[dict]:
    return [p.as_dict() for p in engine.check(bundle)]


def validate(
    session: Session, engine: ProcessEngine, settings: Settings, user: User, key: str, xml: str | None
) -> list[dict]:
    """Every problem of the draft (or of ``xml`` as the draft's BPMN), each on its element."""
    require(user, Permission.EDIT_PROCESSES)
    if xml is not None:
        drafts.check_xml(xml)
    return _problems(engine, drafts.bundle(session, engine, settings, user, key, xml))


@dataclass
class Preview:
    base_version: int | None
    diff: SpecDiff
    migration: dict
    problems: list[dict]

    def as_dict(self) -> dict:
        return {
            "base_version": self.base_version,
            "diff": self.diff.as_dict(),
            "migration": self.migration,
            "problems": self.problems,
        }


def preview(session: Session, engine: ProcessEngine, settings: Settings, user: User, key: str) -> Preview:
    """What deploying the draft would change, and what it would mean for running instances."""
    require(user, Permission.EDIT_PROCESSES)
    bundle = drafts.bundle(session, engine, settings, user, key)
    problems = _problems(engine, bundle)
    latest = engine.latest_definition(key)
    base = latest.version if latest else None
    if any(p["severity"] == "error" for p in problems):
        return Preview(base, SpecDiff(), {"instances": [], "total": 0, "can_migrate": 0, "stay": 0}, problems)
    parsed = next((p for p in engine.parse(bundle) if p.key == key), None)
    if parsed is None:
        raise StudioError(f"В черновике нет процесса с ключом «{key}»: ключ процесса менять нельзя")
    return Preview(base, engine.diff_parsed(parsed), engine.migration_preview(parsed).as_dict(), problems)


def deploy(
    session: Session,
    engine: ProcessEngine,
    settings: Settings,
    user: User,
    key: str,
    comment: str,
    now: datetime,
) -> Deployment:
    """Deploy the analyst's draft of ``key`` with ``comment``; the draft is then dropped."""
    require(user, Permission.DEPLOY_PROCESSES)
    comment = (comment or "").strip()
    if not comment:
        raise StudioError("Напишите комментарий: что изменено и зачем")
    if len(comment) > MAX_COMMENT:
        raise StudioError(f"Комментарий длиннее {MAX_COMMENT} знаков")
    bundle = drafts.bundle(session, engine, settings, user, key)
    problems = _problems(engine, bundle)
    errors = [p for p in problems if p["severity"] == "error"]
    if errors:
        named = "; ".join(
            f"«{p['element']}»: {p['message']}" if p["element"] else p["message"] for p in errors
        )
        raise StudioError(f"Развёртывание отклонено: {named}", problems=errors)
    previous = engine.latest_definition(key)
    with acting_as(user.id, reason=comment):
        try:
            results = engine.deploy(bundle, user.id)
        except DeployError as exc:  # checked above; the deploy's own refusal still wins
            raise StudioError(
                exc.message,
                problems=[
                    {"element": exc.element, "message": exc.reason, "severity": "error", "source": "server"}
                ],
            ) from None
        result = next((r for r in results if r.key == key), None)
        if result is None:
            raise StudioError(f"В черновике нет процесса с ключом «{key}»: ключ процесса менять нельзя")
        files = deployed_files(bundle, result.file)
        deployment = Deployment(
            process_key=key,
            version=result.version,
            previous_version=previous.version if previous else None,
            status=result.status,
            comment=comment,
            user_id=user.id,
            deployed_at=now,
            diagrams=files,
        )
        session.add(deployment)
        drafts.discard_draft(session, user, key)
        session.flush()
    return deployment


def deployed_files(bundle: drafts.Bundle, bpmn_file: str) -> dict[str, str]:
    """The process's BPMN and the DMN files defining the decisions it calls, as text."""
    content = bundle.diagrams[bpmn_file]
    called = set()
    tree = parse_xml(content)
    for node in tree.getroot().iterfind(".//spiffworkflow:calledDecisionId", NS):
        called.add((node.text or "").strip())
    tables = {name: c for name, c in bundle.diagrams.items() if name.endswith(".dmn")}
    wanted = {d["file"] for d in decisions(tables) if d["id"] in called}
    return {
        name: c.decode("utf-8") for name, c in bundle.diagrams.items() if name == bpmn_file or name in wanted
    }


def deployments(session: Session, key: str) -> list[Deployment]:
    """The studio deploys of ``key``, newest first (who, when, why)."""
    return list(
        session.scalars(
            select(Deployment).where(Deployment.process_key == key).order_by(Deployment.id.desc())
        )
    )
