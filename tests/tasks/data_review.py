"""Starting the shipped ``client_data_review`` for a client with a broken INN, as a request would."""

from __future__ import annotations

from engine.tables import HumanTask
from models.clients.cards import Client
from models.platform.db import db
from models.platform.unit_of_work import unit_of_work
from tests.tasks.conftest import open_task
from web.engine_support import process_engine

BROKEN_INN = "7707083894"  # 7707083893 with a wrong check digit


def start_review(app, session, demo_users, name: str = "ООО «Ошибка»") -> HumanTask:
    """A company card with a broken INN, its review started; the back office's open task."""
    client = Client(kind="company", full_name=name, inn=BROKEN_INN, kpp="773601001", ogrn="1027700132195",
                    owner=demo_users["manager"])
    session.add(client)
    session.commit()
    with app.app_context(), unit_of_work(db.session):
        instance_id = process_engine().start("client_data_review", business_type="client",
                                             business_id=client.id).id
    return open_task(session, instance_id)
