"""The approval route: parallel lawyer + underwriter then head, rework with v2, sign-off bound to the hash,
deadlines with reminder and escalation, recall; acceptance 3 (changes invalidate, unapproved never leaves)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.jobs import fire_due_timers
from engine.tables import HumanTask, InstanceStatus, ProcessInstance, TaskStatus
from models.documents.approval import recall_approval, start_approval
from models.documents.documents import load_version, upload_version
from models.documents.errors import DocumentConflict, DocumentError, NotApproved
from models.documents.samples import docx_with_paragraphs
from models.documents.sending import queue_edo, queue_email
from models.documents.signoff import SignOff, decide, send_code
from models.notifications.service import Notification
from models.platform.outbox import OutboxMessage
from models.tasks.process_tasks import FormValidationError, complete_process_task


@pytest.fixture
def flow(world):
    world.deploy()
    return world


def _open(world, document):
    world.session.expire_all()
    return list(
        world.session.scalars(
            select(HumanTask)
            .where(
                HumanTask.instance_id == world.refresh(document).instance_id,
                HumanTask.status == TaskStatus.OPEN,
            )
            .order_by(HumanTask.id)
        )
    )


def _task_of(world, document, login):
    return next(t for t in _open(world, document) if t.assignee_id == world.users[login].id)


def _decide(world, document, login, decision, comment="", **confirm):
    task = _task_of(world, document, login)
    sha = load_version(world.session, world.refresh(document)).sha256
    if decision == "approve" and not confirm:
        confirm = {"password": "demo"}
    done = decide(
        world.session,
        world.engine(),
        world.users[login],
        task.id,
        SignOff(decision, comment, sha, ip="127.0.0.1", user_agent="pytest", **confirm),
        world.clock.now(),
    )
    world.session.commit()
    return done


def _start(world, document, user="backoffice"):
    start_approval(world.session, world.engine(), world.users[user], document.id, world.clock.now())
    world.session.commit()


def _big_contract(world):
    deal = world.deal(premium="6000000")
    return world.generate(deal)


def test_two_stages_parallel_then_head_with_rework_and_v2(flow):
    world = flow
    document = _big_contract(world)
    _start(world, document)
    assert world.refresh(document).status == "in_approval"
    assert sorted(t.assignee_id for t in _open(world, document)) == sorted(
        [world.users["lawyer"].id, world.users["underwriter"].id]
    )
    _decide(world, document, "lawyer", "approve")
    with pytest.raises(DocumentError) as no_comment:
        _decide(world, document, "underwriter", "rework")
    world.session.rollback()
    assert "comment" in no_comment.value.errors
    _decide(world, document, "underwriter", "rework", "Уточните франшизу в разделе 3")
    document = world.refresh(document)
    assert document.status == "rework"
    [rework] = _open(world, document)
    assert rework.element_id == "rework" and rework.assignee_id == world.users["backoffice"].id
    with pytest.raises(FormValidationError):  # no new version yet
        complete_process_task(
            world.session, world.engine(), world.users["backoffice"], rework.id, {"comment": "Исправил"}
        )
    world.session.rollback()
    upload_version(
        world.session,
        world.users["lawyer"],
        document.id,
        filename="v2.docx",
        data=docx_with_paragraphs("Договор v2", "Франшиза 30 000 ₽"),
        comment="франшиза",
        now=world.clock.now(),
    )
    world.session.commit()
    document = world.refresh(document)
    assert document.current_version == 2
    assert [a.valid for a in document.approvals] == [False, False]  # v1's approvals are stale
    complete_process_task(
        world.session, world.engine(), world.users["backoffice"], rework.id, {"comment": "Исправил франшизу"}
    )
    world.session.commit()
    assert world.refresh(document).status == "in_approval"
    assert len(_open(world, document)) == 2  # the stage that had approved starts again
    _decide(world, document, "lawyer", "approve")
    _decide(world, document, "underwriter", "approve")
    [head] = _open(world, document)
    assert head.assignee_id == world.users["head"].id
    send_code(world.session, world.users["head"], head.id, world.clock.now())
    world.session.commit()
    letter = world.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    code = re.search(r": (\d{6})\n", letter.payload["body"]).group(1)
    with pytest.raises(DocumentError):
        _decide(world, document, "head", "approve", code="000000" if code != "000000" else "111111")
    world.session.rollback()
    _decide(world, document, "head", "approve", code=code)
    document = world.refresh(document)
    assert document.status == "approved" and document.approved_version == 2
    valid = [a for a in document.approvals if a.valid]
    v2 = load_version(world.session, document)
    assert [(a.approver.login, a.decision, a.sha256) for a in valid] == [
        ("lawyer", "approve", v2.sha256),
        ("underwriter", "approve", v2.sha256),
        ("head", "approve", v2.sha256),
    ]
    assert valid[-1].method == "code" and valid[0].method == "password"
    assert (valid[0].ip, valid[0].user_agent) == ("127.0.0.1", "pytest")
    instance = world.session.get(ProcessInstance, document.instance_id)
    assert instance.status == InstanceStatus.COMPLETED
    notes = world.session.scalars(
        select(Notification.title).where(
            Notification.user_id == world.users["backoffice"].id, Notification.kind == "document_status"
        )
    ).all()
    assert any("согласован" in n for n in notes) and any("доработку" in n for n in notes)


def test_a_new_version_after_approval_invalidates_approvals_and_blocks_sending(flow):
    """Acceptance 3, first half."""
    world = flow
    deal = world.deal(premium="1000000")
    document = world.generate(deal)
    _start(world, document)
    _decide(world, document, "lawyer", "approve")
    assert world.refresh(document).status == "approved"
    upload_version(
        world.session,
        world.users["backoffice"],
        document.id,
        filename="v2.docx",
        data=docx_with_paragraphs("Другой текст"),
        comment=None,
        now=world.clock.now(),
    )
    world.session.commit()
    document = world.refresh(document)
    assert document.status == "draft" and document.approved_version is None
    assert all(not a.valid for a in document.approvals)
    with pytest.raises(NotApproved):
        queue_email(
            world.session, world.users["backoffice"], document.id, "client@example.ru", world.clock.now()
        )
    world.session.rollback()
    with pytest.raises(NotApproved):
        queue_edo(world.session, world.users["backoffice"], document.id, world.clock.now())
    world.session.rollback()


def test_an_unapproved_offer_cannot_be_sent_by_the_services(flow):
    world = flow
    document = world.generate(world.deal(), "offer")
    for send in (
        lambda: queue_email(
            world.session, world.users["backoffice"], document.id, "a@b.ru", world.clock.now()
        ),
        lambda: queue_edo(world.session, world.users["backoffice"], document.id, world.clock.now()),
    ):
        with pytest.raises(NotApproved):
            send()
        world.session.rollback()
    world.session.expire_all()
    assert world.refresh(document).sendings == []


def test_a_signoff_on_an_old_hash_is_refused(flow):
    world = flow
    document = world.generate(world.deal(premium="1000000"))
    _start(world, document)
    task = _task_of(world, document, "lawyer")
    with pytest.raises(DocumentConflict):
        decide(
            world.session,
            world.engine(),
            world.users["lawyer"],
            task.id,
            SignOff("approve", "", "0" * 64, password="demo"),
            world.clock.now(),
        )
    world.session.rollback()
    with pytest.raises(DocumentError):
        decide(
            world.session,
            world.engine(),
            world.users["lawyer"],
            task.id,
            SignOff("approve", "", load_version(world.session, document).sha256, password="wrong"),
            world.clock.now(),
        )
    world.session.rollback()
    # the generic inbox completion cannot approve without signing off
    with pytest.raises(FormValidationError):
        complete_process_task(
            world.session, world.engine(), world.users["lawyer"], task.id, {"decision": "approve"}
        )
    world.session.rollback()


def test_deadline_reminds_then_escalates_to_the_approvers_manager_and_author_may_recall(flow, app):
    world = flow
    document = world.generate(world.deal(premium="1000000"))
    _start(world, document)
    world.clock.advance(timedelta(hours=20, seconds=5))
    fire_due_timers(world.factory, world.services)
    world.clock.advance(timedelta(hours=9))
    fire_due_timers(world.factory, world.services)
    world.session.expire_all()
    kinds = world.session.scalars(
        select(Notification.kind).where(Notification.user_id == world.users["lawyer"].id)
    ).all()
    assert "task_reminder" in kinds and "task_overdue" in kinds
    [task] = _open(world, document)
    assert task.escalated_at is not None
    recall_approval(world.session, world.engine(), world.users["backoffice"], document.id, world.clock.now())
    world.session.commit()
    assert world.refresh(document).status == "draft" and _open(world, document) == []


def test_kinds_without_approval_are_not_started(flow):
    world = flow
    document = world.generate(world.deal(), "invoice")
    with pytest.raises(DocumentConflict):
        _start(world, document)


def test_an_unapproved_offer_cannot_be_sent_by_a_bpmn_service_task(flow):
    """Acceptance 3 through a process: ``documents.send_email`` refuses, the instance gets an incident."""
    from pathlib import Path

    from engine.bundle import Bundle
    from engine.tables import Incident

    world = flow
    document = world.generate(world.deal(), "offer")
    bpmn = Path(__file__).parent / "bpmn"
    world.engine().deploy(Bundle.from_paths([bpmn / "send_document.bpmn"], bpmn))
    world.session.commit()
    instance = world.engine().start("send_document", {"document_id": document.id, "to": "client@example.ru"})
    world.session.commit()
    assert instance.status == InstanceStatus.ERROR
    [incident] = world.session.scalars(select(Incident).where(Incident.instance_id == instance.id))
    assert "не согласован" in incident.error
    assert world.refresh(document).sendings == []
    assert world.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "email")).all() == []


def test_an_absent_approvers_task_goes_to_the_deputy_who_signs_off(flow):
    from models.identity.users import Absence

    world = flow
    lawyer, deputy = world.users["lawyer"], world.users["backoffice"]
    lawyer.deputy_id = deputy.id
    today = world.clock.now().date()
    world.session.add(Absence(user_id=lawyer.id, starts_on=today, ends_on=today, reason="Отпуск"))
    world.session.commit()
    document = world.generate(world.deal(premium="1000000"), user="manager")
    _start(world, document, user="manager")
    [task] = _open(world, document)
    assert (task.assignee_id, task.original_assignee_id) == (deputy.id, lawyer.id)
    _decide(world, document, "backoffice", "approve")
    document = world.refresh(document)
    assert document.status == "approved" and document.approvals[0].approver_id == deputy.id
