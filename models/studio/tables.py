"""Tables of the process studio: drafts, deployments with their comments, owners, triggers, feedback.

The engine keeps the versions themselves (``process_definition``); the studio keeps what
people do around them: each analyst's draft of a process (BPMN, the DMN tables and forms
they changed), every deploy from the studio with who, when and why (audited), the owner
of each process, the triggers that start processes on domain events and their log, and
employees' feedback on steps.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.platform.db import Base, UTCDateTime, utcnow


class ProcessDraft(Base):
    """One analyst's unsaved-to-production work on one process (BPMN, DMN files, forms)."""

    __tablename__ = "studio_draft"
    __table_args__ = (UniqueConstraint("user_id", "process_key", name="uq_studio_draft_user_process"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    process_key: Mapped[str] = mapped_column(String(200))
    source_file: Mapped[str] = mapped_column(String(300))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    dmn: Mapped[dict] = mapped_column(JSON, default=dict)  # file name → XML of DMN files changed here
    forms: Mapped[dict] = mapped_column(JSON, default=dict)  # form name → JSON changed here
    base_version: Mapped[int | None] = mapped_column(Integer)  # the deployed version the draft started from
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Deployment(Base):
    """A deploy from the studio: who, when, why, what it made, and the files deployed."""

    __tablename__ = "studio_deployment"
    __table_args__ = (Index("ix_studio_deployment_process", "process_key", "id"),)
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    previous_version: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # new | updated | unchanged
    comment: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    diagrams: Mapped[dict] = mapped_column(JSON, default=dict)  # file name → XML (BPMN and DMN deployed)


class ProcessOwner(Base):
    """Who answers for a process: gets the feedback on its steps."""

    __tablename__ = "studio_process_owner"
    __audited__ = True

    process_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TriggerAction:
    START = "start"
    MESSAGE = "message"


class ProcessTrigger(Base):
    """On ``event`` (when ``condition`` holds): start ``process_key`` or send ``message_name``."""

    __tablename__ = "studio_trigger"
    __table_args__ = (Index("ix_studio_trigger_event", "event", "active"),)
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    event: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(20), default=TriggerAction.START)
    process_key: Mapped[str | None] = mapped_column(String(200))
    message_name: Mapped[str | None] = mapped_column(String(200))
    mapping: Mapped[dict] = mapped_column(
        JSON, default=dict
    )  # process variable → expression over the payload
    condition: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FiringStatus:
    PENDING = "pending"
    STARTED = "started"
    SENT = "sent"
    FAILED = "failed"


class TriggerFiring(Base):
    """The log of a trigger: one row per event it matched, and what came of it."""

    __tablename__ = "studio_trigger_firing"
    __table_args__ = (
        Index("ix_studio_trigger_firing_status", "status", "id"),
        Index("ix_studio_trigger_firing_trigger", "trigger_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trigger_id: Mapped[int] = mapped_column(ForeignKey("studio_trigger.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    data: Mapped[dict] = mapped_column(JSON, default=dict)  # what the mapping made of the payload
    status: Mapped[str] = mapped_column(String(20), default=FiringStatus.PENDING)
    instance_ids: Mapped[list] = mapped_column(JSON, default=list)
    message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FeedbackKind:
    UNCLEAR = "unclear"
    EXTRA_STEP = "extra_step"
    OTHER = "other"


FEEDBACK_LABELS = {
    FeedbackKind.UNCLEAR: "Непонятно",
    FeedbackKind.EXTRA_STEP: "Лишний шаг",
    FeedbackKind.OTHER: "Другое",
}


class StepFeedback(Base):
    """An employee's word on a process step, for the process owner and the studio's diagram."""

    __tablename__ = "studio_feedback"
    __table_args__ = (Index("ix_studio_feedback_process", "process_key", "element_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    element_id: Mapped[str] = mapped_column(String(200))
    element_name: Mapped[str | None] = mapped_column(String(500))
    human_task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
