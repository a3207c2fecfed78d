"""Deals: lists and funnel boards with flags, the deal card, workload and distribution, funnel settings."""

from flask import Blueprint

bp = Blueprint("deals", __name__, url_prefix="/deals")

from web.deals import distribution, settings, views  # noqa: E402,F401
from web.deals.demo import demo_hook  # noqa: E402

bp.record_once(lambda state: state.app.extensions.setdefault("crm.demo_hooks", []).append(demo_hook))
