"""The OpenAPI document is built on its first read (``web/lazy_api.py``), for the application that
reads it (the last one built): every endpoint, its tags and the bearer scheme are there however
many applications the process built before, and threads reading it at once all get the whole document."""

from __future__ import annotations

import threading

from tests.conftest import _settings, login
from web import create_app
from web.extensions import rest_api


def test_the_document_describes_every_api_route_of_the_application_that_reads_it(app, client, demo_users,
                                                                                 database_url, tmp_path):
    create_app(_settings(database_url, tmp_path / "other"))  # another app built first: its steps are dropped
    again = create_app(_settings(database_url, tmp_path))
    login(client, "manager")
    spec = client.get("/api/v1/openapi.json").json
    routes = {rule.rule for rule in again.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
              and not rule.rule.endswith("openapi.json")}
    documented = {path.replace("{", "<").replace("}", ">") for path in spec["paths"]}
    assert len(documented) == len(routes) and len(routes) > 40
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    tags = {tag["name"]: tag["description"] for tag in spec["tags"]}
    assert {"api_clients": "Клиенты", "api_deals": "Сделки"}.items() <= tags.items()


def test_threads_reading_the_document_at_once_all_get_the_whole_document(database_url, tmp_path):
    create_app(_settings(database_url, tmp_path))
    seen: list[dict] = []
    threads = [threading.Thread(target=lambda: seen.append(rest_api.spec.to_dict())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 4 and all(d == seen[0] for d in seen) and len(seen[0]["paths"]) > 40
