"""Statement-count guard of the public intake: a lead from the site form runs a fixed number of
statements (a regression tripwire, not a timing). The settings every event asks — studio triggers,
webhook subscriptions, the manager's notification channels — are kept between requests
(``models.platform.kept``), so a second lead reads none of them.
"""

from __future__ import annotations

from tests.statements import counted

LIMITS = {"postgresql": 14, "sqlite": 16}


def _lead(client, n: int) -> None:
    answer = client.post("/intake/lead", json={
        "consent": True, "name": f"Олег Сидоров {n}", "company": f"Логистик Плюс {n}",
        "phone": f"+7 916 555-44-{n:02d}", "email": f"oleg{n}@logistic.ru", "source": "site"})
    assert answer.status_code == 202, answer.get_data(as_text=True)


def test_a_site_lead_runs_a_bounded_number_of_statements(world, client, engine):
    for n in range(1, 7):  # the first leads ask the kept settings, each routed manager's channels once
        _lead(client, n)
    with counted(engine) as seen:
        _lead(client, 7)
    kept = ("FROM studio_trigger", "FROM webhook_subscription", "FROM notification_preference")
    read_settings = [s for s in seen if any(table in s for table in kept)]
    assert read_settings == []
    assert len(seen) <= LIMITS[engine.dialect.name], "\n".join(seen)
