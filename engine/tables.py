"""Tables of the process engine: definitions and their forms, instances, the human-task
projection, events, incidents, message subscriptions, timer-start schedules and received messages.

These are plain tables; only ``engine/`` knows how to fill them from SpiffWorkflow. The
inbox and history screens read them through indexes and never deserialize workflows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.platform.db import Base, UTCDateTime, utcnow


class InstanceStatus:
    RUNNING = "running"  # has work the engine or a person can do now
    WAITING = "waiting"  # waits only for timers, messages or signals
    COMPLETED = "completed"
    ERROR = "error"  # an incident stops it until retried
    CANCELLED = "cancelled"
    ACTIVE = (RUNNING, WAITING, ERROR)


class TaskStatus:
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ProcessDefinition(Base):
    """One deployed version of a process; the serialized spec is stored here once."""

    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("key", "version", name="uq_process_definition_key_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    source_file: Mapped[str] = mapped_column(String(300))
    # Large texts, loaded only when read: the engine's hot path needs only id and hash.
    source_xml: Mapped[str] = mapped_column(Text, deferred=True)
    spec_json: Mapped[str] = mapped_column(Text, deferred=True)
    meta: Mapped[dict] = mapped_column(JSON, default=dict)
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class ProcessForm(Base):
    """A form (JSON Schema or UI hints) as deployed with one definition version.

    Running instances read their forms from here, so a form file changed later never
    changes the form of an instance that started before; a changed form makes a new
    version (it is part of the definition's content hash).
    """

    __tablename__ = "process_form"
    __table_args__ = (UniqueConstraint("definition_id", "name", name="uq_process_form_definition_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    content: Mapped[dict] = mapped_column(JSON)

    definition: Mapped[ProcessDefinition] = relationship()


class ProcessInstance(Base):
    """A running or finished process; ``version`` guards against concurrent steps."""

    __tablename__ = "process_instance"
    __table_args__ = (
        Index("ix_process_instance_business", "business_type", "business_id"),
        Index("ix_process_instance_key_status", "process_key", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), default=InstanceStatus.RUNNING)
    state_json: Mapped[str] = mapped_column(Text)
    business_type: Mapped[str | None] = mapped_column(String(40))
    business_id: Mapped[int | None] = mapped_column(Integer)
    correlation: Mapped[dict] = mapped_column(JSON, default=dict)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_timer_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    definition: Mapped[ProcessDefinition] = relationship()

    __mapper_args__ = {"version_id_col": version}


class HumanTask(Base):
    """The inbox projection of a ready user task, written in the same transaction as the step."""

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_assignee_open", "assignee_id", "status", "due_at"),
        # Queue indexes include assignee_id so "unassigned in my role's queue" is an index range.
        Index("ix_human_task_role_queue", "candidate_role", "status", "assignee_id", "due_at"),
        Index("ix_human_task_department_queue", "candidate_department", "status", "assignee_id", "due_at"),
        Index("ix_human_task_business", "business_type", "business_id"),
        Index("ix_human_task_completed_by", "completed_by_id", "completed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("process_instance.id", ondelete="CASCADE"), index=True
    )
    task_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    element_id: Mapped[str] = mapped_column(String(200))
    process_key: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500))
    form: Mapped[str | None] = mapped_column(String(200))
    form_ui: Mapped[str | None] = mapped_column(String(200))
    instructions: Mapped[str | None] = mapped_column(Text)
    lane: Mapped[str | None] = mapped_column(String(200))
    candidate_role: Mapped[str | None] = mapped_column(String(40))
    candidate_department: Mapped[str | None] = mapped_column(String(40))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    original_assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    priority: Mapped[int] = mapped_column(Integer, default=2)  # 1 high, 2 normal, 3 low
    business_type: Mapped[str | None] = mapped_column(String(40))
    business_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=TaskStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    completed_data: Mapped[dict | None] = mapped_column(JSON)
    # Inbox bookkeeping: when someone took it from a queue, and which alerts already went out
    # (the BPMN notification operations set these so each fires once).
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    overdue_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    instance: Mapped[ProcessInstance] = relationship()
    # The user row (``models.identity``, above the engine) by its mapped class name; for
    # the task rules and pages, the engine itself only uses ``assignee_id``.
    assignee = relationship("User", foreign_keys=[assignee_id], viewonly=True)


class ProcessEvent(Base):
    """An append-only record of every engine step, for history, audit and analytics."""

    __tablename__ = "process_event"
    __table_args__ = (Index("ix_process_event_instance", "instance_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"))
    element_id: Mapped[str | None] = mapped_column(String(200))
    element_name: Mapped[str | None] = mapped_column(String(300))
    element_type: Mapped[str | None] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    duration_ms: Mapped[float | None]
    detail: Mapped[dict | None] = mapped_column(JSON)


class Incident(Base):
    """A failed service task or script that stopped an instance until retried."""

    __tablename__ = "process_incident"
    __table_args__ = (Index("ix_process_incident_open", "status", "next_retry_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("process_instance.id", ondelete="CASCADE"), index=True
    )
    element_id: Mapped[str] = mapped_column(String(200))
    element_name: Mapped[str | None] = mapped_column(String(300))
    task_uuid: Mapped[str] = mapped_column(String(36))
    error: Mapped[str] = mapped_column(Text)
    transient: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    max_attempts: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | resolved
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class Subscription(Base):
    """What an instance waits for (a message or a signal), so delivery is an index lookup."""

    __tablename__ = "process_subscription"
    __table_args__ = (Index("ix_process_subscription_name", "kind", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("process_instance.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # message | signal
    name: Mapped[str] = mapped_column(String(200))
    correlation: Mapped[dict] = mapped_column(JSON, default=dict)


class ProcessSchedule(Base):
    """A timer start event: when the scheduler must next start a new instance."""

    __tablename__ = "process_schedule"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(200), unique=True)
    element_id: Mapped[str] = mapped_column(String(200))
    expression: Mapped[str] = mapped_column(String(300))
    next_fire_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class ProcessMessage(Base):
    """Every message or signal received, with whom it reached; unmatched ones stay visible."""

    __tablename__ = "process_message"
    __table_args__ = (Index("ix_process_message_status", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # message | signal
    name: Mapped[str] = mapped_column(String(200))
    correlation: Mapped[dict] = mapped_column(JSON, default=dict)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20))  # delivered | started | unmatched
    instance_ids: Mapped[list] = mapped_column(JSON, default=list)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
