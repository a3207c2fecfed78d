"""Several reads in one statement: each member keeps its own filter, order and limit (the order
picks the rows; the order they come back in is not promised), its rows come back in its own width
(key, then its columns as text), and a member that finds nothing is empty."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from models.clients.cards import Client
from models.discounts.requests import DiscountRequest
from models.platform.one_trip import read_together
from models.sales.deals import Deal
from tests.demo_data import load_demo
from tests.statements import counted


def test_members_keep_their_own_order_and_limit_and_width(app, session, engine):
    load_demo(app)
    newest = select(Client.id, Client.full_name).order_by(Client.id.desc()).limit(3)
    oldest = select(Client.id).order_by(Client.id).limit(2)
    money = select(DiscountRequest.id, DiscountRequest.discount_pct, DiscountRequest.product) \
        .order_by(DiscountRequest.id).limit(1)
    nothing = select(Deal.id, Deal.title).where(Deal.id < 0)
    with counted(engine) as seen:
        found = read_together(session, {"newest": newest, "oldest": oldest, "money": money,
                                        "nothing": nothing})
    assert len(seen) == 1, seen
    ids = session.scalars(select(Client.id).order_by(Client.id)).all()
    assert sorted(row[0] for row in found["newest"]) == sorted(ids[::-1][:3]), "its own order picks its rows"
    assert all(len(row) == 2 and isinstance(row[1], str) for row in found["newest"])
    assert sorted(found["oldest"]) == [(ids[0],), (ids[1],)]
    [(request_id, pct, product)] = found["money"]
    request = session.get(DiscountRequest, request_id)
    assert isinstance(pct, str) and Decimal(pct) == request.discount_pct and product == request.product
    assert found["nothing"] == []


def test_nothing_asked_reads_nothing_and_a_member_too_wide_is_refused(app, session, engine):
    with counted(engine) as seen:
        assert read_together(session, {}) == {}
    assert seen == []
    wide = select(Client.id, Client.full_name, Client.inn, Client.kpp, func.lower(Client.phone))
    with pytest.raises(ValueError, match="не больше 3"):
        read_together(session, {"wide": wide})
