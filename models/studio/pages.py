"""What the studio's pages read: one call per page, with the acting user's rights applied."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.api import ProcessEngine
from engine.monitoring import DefinitionSummary
from models.identity.service import Colleague, active_users
from models.identity.users import User
from models.platform.permissions import Permission, has_permission, require
from models.studio.deploys import deployments
from models.studio.feedback import recent_feedback
from models.studio.owners import owners
from models.studio.tables import Deployment, ProcessDraft, ProcessTrigger, StepFeedback


@dataclass
class ProcessRow:
    key: str
    name: str
    version: int | None
    instances: int
    owner: str | None
    draft_saved_at: datetime | None
    feedback: int
    deployed_at: datetime | None = None


@dataclass
class StudioIndex:
    processes: list[ProcessRow]
    can_edit: bool
    can_deploy: bool


def studio_index(session: Session, engine: ProcessEngine, user: User) -> StudioIndex:
    """Every deployed process and every new one the user drafts, with owner, draft and feedback."""
    require(user, Permission.VIEW_PROCESSES)
    overview = {d.key: d for d in engine.definitions_overview()}
    drafts = {
        d.process_key: d for d in session.scalars(select(ProcessDraft).where(ProcessDraft.user_id == user.id))
    }
    owner_ids = owners(session)
    names = {
        u.id: u.full_name for u in session.scalars(select(User).where(User.id.in_(set(owner_ids.values()))))
    }
    counted = session.execute(
        select(StepFeedback.process_key, func.count()).group_by(StepFeedback.process_key)
    )
    feedback = {key: count for key, count in counted}
    rows = []
    for key in sorted(set(overview) | set(drafts)):
        summary: DefinitionSummary | None = overview.get(key)
        draft = drafts.get(key)
        rows.append(
            ProcessRow(
                key=key,
                name=summary.name if summary else key,
                version=summary.latest_version if summary else None,
                instances=summary.total if summary else 0,
                owner=names.get(owner_ids[key]) if key in owner_ids else None,
                draft_saved_at=draft.updated_at if draft else None,
                feedback=feedback.get(key, 0),
                deployed_at=summary.versions[0].deployed_at if summary and summary.versions else None,
            )
        )
    return StudioIndex(
        rows,
        has_permission(user, Permission.EDIT_PROCESSES),
        has_permission(user, Permission.DEPLOY_PROCESSES),
    )


@dataclass
class ProcessPage:
    key: str
    summary: DefinitionSummary | None
    deployments: list[Deployment]
    deployers: dict[int, str]
    owner_id: int | None
    users: list[Colleague]
    feedback: list[StepFeedback]
    feedback_authors: dict[int, str]
    triggers: list[ProcessTrigger] = field(default_factory=list)
    has_draft: bool = False


def process_page(session: Session, engine: ProcessEngine, user: User, key: str) -> ProcessPage:
    """One process in the studio: versions with their comments, owner, feedback, triggers."""
    require(user, Permission.VIEW_PROCESSES)
    summary = next((d for d in engine.definitions_overview() if d.key == key), None)
    deploys = deployments(session, key)
    feedback = recent_feedback(session, key)
    people = {d.user_id for d in deploys if d.user_id} | {f.user_id for f in feedback if f.user_id}
    names = (
        {u.id: u.full_name for u in session.scalars(select(User).where(User.id.in_(people)))}
        if people
        else {}
    )
    draft = session.scalar(
        select(ProcessDraft.id).where(ProcessDraft.user_id == user.id, ProcessDraft.process_key == key)
    )
    return ProcessPage(
        key=key,
        summary=summary,
        deployments=deploys,
        deployers=names,
        owner_id=owners(session).get(key),
        users=active_users(session),
        feedback=feedback,
        feedback_authors=names,
        triggers=list(session.scalars(select(ProcessTrigger).where(ProcessTrigger.process_key == key))),
        has_draft=draft is not None,
    )
