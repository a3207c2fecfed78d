"""One transaction boundary: a service that raises after writing leaves nothing stored.

The same real service (``models.clients.service.create_client``, which writes a client, its
search rows and its audit rows) is run through each edge that owns a transaction — a view
(every view is wrapped by ``web.transactions``), the job runner and a plain
``unit_of_work`` — and made to fail after it wrote; nothing of it may be in the database.
"""

from __future__ import annotations

from flask import jsonify
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from models.clients.cards import Client
from models.clients.service import create_client
from models.identity.users import User
from models.platform.audit import AuditLog
from models.platform.db import db
from models.platform.jobs import run_unit
from models.platform.unit_of_work import unit_of_work
from tests.clients.conftest import company_values
from web.security import public
from web.transactions import transactional


class ServiceFailed(Exception):
    """The service's own failure after it had written."""


def save_then_fail(session, actor: User, name: str) -> None:
    """A service that writes a whole client card and then fails."""
    create_client(session, actor, company_values(name))
    session.flush()  # the rows really reached the database inside the transaction
    raise ServiceFailed("сбой после записи")


def _stored(session) -> tuple[int, int]:
    session.expire_all()
    clients = session.scalar(select(func.count(Client.id)))
    audit = session.scalar(select(func.count(AuditLog.id)).where(AuditLog.entity_type == "client"))
    return clients, audit


def test_every_view_of_the_app_runs_in_the_unit_of_work(app):
    unwrapped = [endpoint for endpoint, view in app.view_functions.items()
                 if endpoint != "static" and not endpoint.endswith(".static")
                 and getattr(view, "__wrapped__", None) is None]
    assert unwrapped == []


def test_a_view_whose_service_raises_after_writing_stores_nothing(app, session, demo_users):
    manager_id = demo_users["manager"].id

    @public
    def failing_view():
        save_then_fail(db.session, db.session.get(User, manager_id), "Сбой")
        return jsonify(ok=True)

    @public
    def refusing_view():
        user = db.session.get(User, manager_id)
        create_client(db.session, user, company_values("Отказ"))
        return jsonify(error={"message": "Отказано"}), 409  # an error answer after a write

    @public
    def saving_view():
        create_client(db.session, db.session.get(User, manager_id), company_values("Успех"))
        return jsonify(ok=True)  # no commit here: the unit of work around the view commits

    app.add_url_rule("/test/uow/save", "test_uow_save", transactional(saving_view), methods=["GET"])
    app.add_url_rule("/test/uow/fail", "test_uow_fail", transactional(failing_view), methods=["GET"])
    app.add_url_rule("/test/uow/refuse", "test_uow_refuse", transactional(refusing_view), methods=["GET"])
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()

    failed = client.get("/test/uow/fail", headers={"Accept": "application/json"})
    assert failed.status_code == 500
    assert failed.get_json()["error"]["code"] == "internal"
    assert client.get("/test/uow/refuse").status_code == 409
    assert _stored(session) == (0, 0)
    assert client.get("/test/uow/save").status_code == 200
    assert _stored(session)[0] == 1


def test_a_job_unit_whose_service_raises_after_writing_stores_nothing(app, engine, session, demo_users):
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    manager_id = demo_users["manager"].id

    def work(job_session):
        save_then_fail(job_session, job_session.get(User, manager_id), "Фон")

    assert run_unit(factory, work, failed=(ServiceFailed,)) is None
    assert _stored(session) == (0, 0)

    def good(job_session):
        create_client(job_session, job_session.get(User, manager_id), company_values("Успех"))

    run_unit(factory, good)
    assert _stored(session)[0] == 1


def test_a_command_unit_of_work_rolls_back_what_the_failed_block_wrote(app, engine, demo_users):
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    manager_id = demo_users["manager"].id
    with factory() as command_session:
        try:
            with unit_of_work(command_session):
                save_then_fail(command_session, command_session.get(User, manager_id), "Команда")
        except ServiceFailed:
            pass
        assert _stored(command_session) == (0, 0)
        with unit_of_work(command_session) as work:
            create_client(command_session, command_session.get(User, manager_id), company_values("Отмена"))
            work.discard()
        assert _stored(command_session) == (0, 0)


def test_a_savepoint_before_the_first_write_is_undone_with_its_transaction(engine, demo_users):
    """A ``begin_nested`` opened before any write is released into the outer transaction only.

    On SQLite the driver opened no transaction before the SAVEPOINT, so its RELEASE committed
    the nested work (``models.platform.sqlite_savepoints``); the outer rollback must undo it.
    """
    manager_id = demo_users["manager"].id
    work = sessionmaker(bind=engine)()
    try:
        work.scalar(select(func.count(Client.id)))  # a read first: it opens nothing on SQLite
        with work.begin_nested():
            create_client(work, work.get(User, manager_id), company_values("Вложенная"))
        work.rollback()
    finally:
        work.close()
    check = sessionmaker(bind=engine)()
    try:
        assert _stored(check) == (0, 0)
    finally:
        check.close()
