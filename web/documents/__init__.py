"""Documents in the browser: templates, a document's card, the sign-off page, the archive, «Мои согласования».

``init_app`` registers the pages and the blocks other pages include through context
processors (the deal and client cards' documents block, the inbox's «Мои согласования»),
each one service call, and the answers to the package's refusals.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("documents", __name__, url_prefix="/documents")


def init_app(app: Flask) -> None:
    from web.documents import blocks, refusals

    app.register_blueprint(bp)
    app.context_processor(blocks.processors)
    refusals.init_app(app)


from web.documents import template_views, views  # noqa: E402,F401
