"""Every change of an audited record lands in the audit log with who, field, old and new."""

from sqlalchemy import select

from models.clients.cards import Client
from models.platform.audit import SECRET_MASK, AuditLog, acting_as
from tests.conftest import csrf_from, login


def _log(session, entity_type, entity_id):
    return session.scalars(
        select(AuditLog).where(AuditLog.entity_type == entity_type,
                               AuditLog.entity_id == str(entity_id)).order_by(AuditLog.id)
    ).all()


def test_create_update_delete_are_logged_per_field(session, demo_users):
    manager = demo_users["manager"]
    with acting_as(manager.id):
        client = Client(kind="company", full_name="ООО «Ромашка»", inn="7707083893", owner=manager)
        session.add(client)
        session.commit()
        client.full_name = "ООО «Ромашка-Плюс»"
        client.territory = "Москва"
        session.commit()
        client_id = client.id
        session.delete(client)
        session.commit()

    rows = _log(session, "client", client_id)
    created = {r.field: r for r in rows if r.action == "create"}
    assert created["full_name"].new_value == "ООО «Ромашка»"
    assert created["inn"].new_value == "7707083893"
    assert created["owner_id"].new_value == str(manager.id)
    updated = {r.field: r for r in rows if r.action == "update"}
    assert updated["full_name"].old_value == "ООО «Ромашка»"
    assert updated["full_name"].new_value == "ООО «Ромашка-Плюс»"
    assert updated["territory"].old_value is None and updated["territory"].new_value == "Москва"
    assert "inn" not in updated  # unchanged fields are not logged
    deleted = {r.field: r for r in rows if r.action == "delete"}
    assert deleted["full_name"].old_value == "ООО «Ромашка-Плюс»"
    assert all(r.user_id == manager.id for r in rows)


def test_password_changes_are_logged_without_the_hash(session, demo_users):
    user = demo_users["lawyer"]
    with acting_as(demo_users["admin"].id):
        user.set_password("new-secret")
        session.commit()
    rows = [r for r in _log(session, "user", user.id)
            if r.action == "update" and r.user_id == demo_users["admin"].id]
    assert [(r.field, r.old_value, r.new_value) for r in rows] == [
        ("password_hash", SECRET_MASK, SECRET_MASK)
    ]


def test_change_through_web_form_records_the_logged_in_user(client, session, demo_users):
    login(client, "admin")
    lawyer = demo_users["lawyer"]
    page = client.get(f"/admin/users/{lawyer.id}").get_data(as_text=True)
    response = client.post(f"/admin/users/{lawyer.id}", data={
        "csrf_token": csrf_from(page), "full_name": "Новиков Дмитрий", "role": "lawyer",
        "department": "legal", "is_active": "1", "deputy_id": str(demo_users["head"].id),
    })
    assert response.status_code == 302
    session.expire_all()
    rows = {r.field: r for r in _log(session, "user", lawyer.id) if r.action == "update"}
    assert rows["full_name"].new_value == "Новиков Дмитрий"
    assert rows["full_name"].user_id == demo_users["admin"].id
    assert rows["deputy_id"].old_value is None
    assert rows["deputy_id"].new_value == str(demo_users["head"].id)


def test_failed_transaction_leaves_no_audit_rows(session, demo_users):
    before = session.scalar(select(AuditLog.id).order_by(AuditLog.id.desc()).limit(1))
    client = Client(kind="company", full_name="ООО «Откат»")
    session.add(client)
    session.flush()
    session.rollback()
    after = session.scalar(select(AuditLog.id).order_by(AuditLog.id.desc()).limit(1))
    assert before == after


def test_a_flush_writes_its_rows_in_order_with_one_time_and_the_reason(session, demo_users):
    """One statement per flush on PostgreSQL (a JSON array of rows): the rows keep the order they
    were collected in, the flush's one moment (aware, UTC), the actor, the reason and every value,
    «ё», quotes and a line break included."""
    manager = demo_users["manager"]
    name = "ООО «Ёлка\n\"Север\"»"
    with acting_as(manager.id, reason="проверка"):
        client = Client(kind="company", full_name=name, inn="7707083893", territory="Москва", owner=manager)
        session.add(client)
        session.commit()
    rows = _log(session, "client", client.id)
    fields = [r.field for r in rows]
    columns = [c.key for c in Client.__mapper__.column_attrs]
    assert fields == [c for c in columns if c in fields]  # the mapper's column order, by id
    assert {"full_name", "inn", "territory", "owner_id"} <= set(fields)
    assert len({r.at for r in rows}) == 1 and rows[0].at.utcoffset().total_seconds() == 0
    assert {(r.user_id, r.reason, r.action) for r in rows} == {(manager.id, "проверка", "create")}
    assert {r.field: r.new_value for r in rows}["full_name"] == name
