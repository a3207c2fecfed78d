"""Record links built once per list (``web.links.link_pattern``) are the URLs ``url_for`` builds."""

from __future__ import annotations

import pytest
from flask import url_for

from web.links import PAGES, link_pattern, object_url


@pytest.mark.parametrize(("endpoint", "argument", "fixed"), [
    ("deals.show", "deal_id", {}),
    ("deals.board_move", "deal_id", {}),
    ("clients.show", "client_id", {}),
    ("inbox.task", "task_id", {}),
    ("inbox.claim_task", "task_id", {"kind": "process"}),
    ("clients.not_duplicate", "other_id", {"client_id": 7}),
])
def test_a_pattern_writes_the_url_that_url_for_builds(app, endpoint, argument, fixed):
    with app.test_request_context("/"):
        pattern = link_pattern(endpoint, argument, **fixed)
        for record_id in (1, 42, 1_000_000):
            built = f"{pattern.prefix}{record_id}{pattern.suffix}"
            assert built == url_for(endpoint, **{argument: record_id}, **fixed)


def test_object_links_match_url_for_for_every_kind_and_a_second_call_reuses_the_pattern(app):
    with app.test_request_context("/"):
        for kind, (endpoint, argument) in PAGES.items():
            if endpoint not in app.view_functions:
                assert object_url(kind, 5) is None
                continue
            assert object_url(kind, 5) == url_for(endpoint, **{argument: 5})
            assert object_url(kind, 12) == url_for(endpoint, **{argument: 12})
        assert object_url("nothing", 5) is None and object_url("deal", None) is None


def test_an_argument_the_route_does_not_name_is_written_into_the_query_string(app):
    with app.test_request_context("/"):
        pattern = link_pattern("deals.index", "before", status="open")
        assert f"{pattern.prefix}17{pattern.suffix}" == url_for("deals.index", before=17, status="open")

