"""«Согласование скидок»: the approver's queue, a request's page, the deal card's discount block, the log.

``init_app`` registers the pages, the deal card's block (``discount_block`` for the deal
template: one read through ``models.discounts.pages.deal_discounts``), the ``pct`` filter,
and the answer to «the approved discount is law» for every page and API call: a
``DiscountNotApproved`` that rises out of a view (the deal card, the deal API, later the
documents) is kept in the violation log in a unit of work of its own — the request's own
unit has rolled back — and answered 422 naming the approved limit.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("discounts", __name__, url_prefix="/discounts")


def init_app(app: Flask) -> None:
    from models.discounts.requests import percent
    from web.discounts import refusals
    from web.discounts.deal_block import discount_block

    app.register_blueprint(bp)
    app.add_template_filter(percent, "pct")
    app.context_processor(lambda: {"discount_block": discount_block})
    refusals.init_app(app)


from web.discounts import views  # noqa: E402,F401
