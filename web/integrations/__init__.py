"""Integrations in the web: the admin pages («Интеграции»), the outside systems' webhooks, the card blocks.

``bp`` holds the admin pages (``/admin/integrations``) and what users call (recordings,
click-to-call, the e-mail triage queue, linking Telegram); ``hooks`` holds the webhooks
outside systems post to (``/hooks/…``: no login and no CSRF token, each checks its own
signature or secret). ``init_app`` adds ``integration_blocks`` for the client card and the
deal card (calls with recordings, e-mails).
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("integrations", __name__, url_prefix="/integrations")
hooks = Blueprint("hooks", __name__, url_prefix="/hooks")


def init_app(app: Flask) -> None:
    from web.integrations.blocks import integration_blocks, spark_high_risk

    app.register_blueprint(bp)
    app.register_blueprint(hooks)
    app.context_processor(lambda: {"integration_blocks": integration_blocks})
    # A global, not a context value: the discount context is a macro file imported without context.
    app.jinja_env.globals["spark_high_risk"] = spark_high_risk


from web.integrations import admin, mail, onec, spark, telegram, telephony, webhooks  # noqa: E402,F401
