"""The test run's shared URL builders (tests/url_builders.py) build what Werkzeug's own would."""
from __future__ import annotations

from flask import Flask, url_for

from tests.url_builders import install


def _app(default_page: int) -> Flask:
    app = Flask(__name__)

    @app.route("/list/", defaults={"page": default_page})
    @app.route("/list/<int:page>")
    def listing(page: int) -> str:
        return str(page)

    @app.route("/card/<int:card_id>")
    def card(card_id: int) -> str:
        return str(card_id)

    # a default for a part of the rule itself is folded into the compiled builder as a constant
    app.add_url_rule("/page/<int:page>", endpoint="fixed", defaults={"page": default_page})
    return app


def test_two_apps_with_the_same_rules_but_other_defaults_build_their_own_urls() -> None:
    install()
    first, second = _app(1), _app(2)
    with first.test_request_context():
        assert url_for("listing") == "/list/"
        assert url_for("listing", page=1) == "/list/"
        assert url_for("listing", page=5) == "/list/5"
        assert url_for("card", card_id=7, tab="docs") == "/card/7?tab=docs"
        assert url_for("fixed") == "/page/1"
    with second.test_request_context():
        assert url_for("listing", page=1) == "/list/1"
        assert url_for("listing", page=2) == "/list/"
        assert url_for("card", card_id=8) == "/card/8"
        assert url_for("fixed") == "/page/2"
    assert second.test_client().get("/list/").get_data(as_text=True) == "2"
