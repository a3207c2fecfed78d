"""Demo clients are searchable and show the client features (registry flag, a likely duplicate)."""

import pytest
from sqlalchemy import func, select

from models.clients.cards import Client
from models.clients.demo import ensure_demo_clients
from models.clients.duplicates import duplicates_of
from models.clients.search import ClientFilter, search_page


def test_demo_clients_are_indexed_and_show_the_features(session, demo_users):
    assert ensure_demo_clients(session) > 200
    session.commit()
    assert ensure_demo_clients(session) == 0
    flagged = session.scalars(select(Client).where(Client.registry_status == "LIQUIDATING")).all()
    assert len(flagged) == 1 and flagged[0].registry_warning == "Ликвидируется"
    card = session.scalar(select(Client).where(Client.full_name.like("Смирнов Андрей%")))
    assert any("Совпадает телефон" in r for m in duplicates_of(session, card) for r in m.reasons)
    some = session.scalars(select(Client).where(Client.kind == "company").limit(1)).one()
    flt = ClientFilter.from_args({"q": some.phone})
    assert some.id in {c.id for c in search_page(session, demo_users["admin"], flt).items}


def test_demo_clients_need_the_demo_managers(session):
    """Demo clients are owned by the demo managers: without them the seed stops and stores nothing."""
    with pytest.raises(LookupError, match="нет пользователя «manager»"):
        ensure_demo_clients(session)
    assert session.scalar(select(func.count()).select_from(Client)) == 0
