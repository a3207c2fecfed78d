"""Settings kept between requests (``models.platform.kept``): read once, and never wrong for long.

Shown on a user's notification channels (``channels_for``): a second request reads no statement;
a change this process makes is seen at once, by any session; a change that is rolled back is not
kept; a change made outside the ORM (another worker, plain SQL) is seen once the copy is
``KEEP_SECONDS`` old.
"""

from __future__ import annotations

import time

from sqlalchemy.orm import Session

from models.notifications.preferences import channels_for, set_preferences
from models.platform.kept import KEEP_SECONDS
from tests.statements import counted


def _codes(engine, user_id: int) -> list[str]:
    with Session(engine) as request:  # a request of its own, as a worker's
        return [channel.code for channel in channels_for(request, user_id, "task_reminder")]


def test_a_second_request_reads_no_statement_and_a_change_here_is_seen_at_once(engine, demo_users):
    user_id = demo_users["manager"].id
    with counted(engine) as first:
        assert _codes(engine, user_id) == ["email"]  # the kind's default
    with counted(engine) as second:
        assert _codes(engine, user_id) == ["email"]
    assert len(first) == 1 and second == []

    with Session(engine) as page:
        set_preferences(page, user_id, {"email": [], "telegram": ["task_reminder"]})
        page.commit()
    assert _codes(engine, user_id) == ["telegram"]


def test_a_change_rolled_back_is_not_kept(engine, demo_users):
    user_id = demo_users["manager"].id
    assert _codes(engine, user_id) == ["email"]
    with Session(engine) as page:
        set_preferences(page, user_id, {"email": []})
        assert channels_for(page, user_id, "task_reminder") == []  # its own flushed change
        page.rollback()
    assert _codes(engine, user_id) == ["email"]


def test_a_change_made_outside_this_process_is_seen_within_the_keeping_time(engine, demo_users):
    user_id = demo_users["manager"].id
    assert _codes(engine, user_id) == ["email"]
    raw = engine.raw_connection()  # another worker's write: no ORM of this process sees it
    try:
        mark = "?" if engine.dialect.name == "sqlite" else "%s"
        raw.cursor().execute(
            f"INSERT INTO notification_preference (user_id, kind, channel, enabled) VALUES ({mark}, {mark}, "
            f"{mark}, {mark})", (user_id, "task_reminder", "email", False))
        raw.commit()
    finally:
        raw.close()
    assert _codes(engine, user_id) == ["email"]  # the copy, not yet KEEP_SECONDS old
    time.sleep(KEEP_SECONDS)
    assert _codes(engine, user_id) == []


def test_a_change_kept_past_a_rolled_back_savepoint_is_seen_when_its_transaction_commits(engine, demo_users):
    user_id = demo_users["manager"].id
    assert _codes(engine, user_id) == ["email"]
    with Session(engine) as page:
        set_preferences(page, user_id, {"email": []})
        with page.begin_nested() as savepoint:
            savepoint.rollback()  # something else failed; the change before it stays
        assert _codes(engine, user_id) == ["email"]  # another request: the change is not committed
        page.commit()
    assert _codes(engine, user_id) == []
