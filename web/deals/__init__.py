"""Deals: lists and funnel boards with flags, the deal card, workload and distribution, funnel settings."""

from flask import Blueprint

bp = Blueprint("deals", __name__, url_prefix="/deals")

from web.deals import board, distribution, settings, views  # noqa: E402,F401
