"""A card's mail shows the newest letters, however many the client has written over the years."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from integrations.imap.service import threads_of
from integrations.imap.tables import MailMessage
from tests.clients.conftest import make_client


def test_the_newest_letters_make_the_threads_newest_thread_first(session, demo_users):
    manager = demo_users["manager"]
    client = make_client(session, manager, "Переписка")
    start = datetime(2023, 1, 1, 9, 0, tzinfo=UTC)
    for i in range(130):  # three threads taking turns, one letter a day
        session.add(MailMessage(thread_key=f"thread-{i % 3}", subject=f"Тема {i % 3}", from_addr="a@b.ru",
                                body=f"Письмо {i:03d}", received_at=start + timedelta(days=i),
                                client_id=client.id))
    session.commit()
    threads = threads_of(session, manager, client_id=client.id, limit=100)
    bodies = [m.body for t in threads for m in t.messages]
    assert len(bodies) == 100 and "Письмо 129" in bodies and "Письмо 029" not in bodies
    assert [t.key for t in threads] == ["thread-0", "thread-2", "thread-1"]  # 129 is thread 0, 128 thread 2
    for thread in threads:
        times = [m.received_at for m in thread.messages]
        assert times == sorted(times)  # each thread reads top to bottom
