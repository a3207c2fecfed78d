"""Role and record-level rules of the permission layer."""

from models.clients.cards import Client
from models.identity.service import set_manager_and_deputy
from models.platform.permissions import Permission, can_access, has_permission, scoped


def _clients(session, demo_users):
    mine = Client(kind="company", full_name="Мой", owner=demo_users["manager"])
    other = Client(kind="company", full_name="Чужой", owner=demo_users["manager2"])
    session.add_all([mine, other])
    session.commit()
    return mine, other


def test_manager_sees_and_edits_only_own_clients(session, demo_users):
    mine, other = _clients(session, demo_users)
    manager = demo_users["manager"]
    assert can_access(manager, mine, "view") and can_access(manager, mine, "edit")
    assert not can_access(manager, other, "view")
    visible = session.scalars(scoped(manager, Client)).all()
    assert [c.full_name for c in visible] == ["Мой"]


def test_senior_manager_sees_department_back_office_edits_all(session, demo_users):
    _mine, other = _clients(session, demo_users)
    senior = demo_users["senior"]
    assert can_access(senior, other, "view")
    assert {c.full_name for c in session.scalars(scoped(senior, Client))} == {"Мой", "Чужой"}
    assert can_access(demo_users["backoffice"], other, "edit")
    assert can_access(demo_users["analyst"], other, "view")
    assert not can_access(demo_users["analyst"], other, "edit")
    assert not can_access(demo_users["lawyer"], other, "edit")


def test_senior_manager_of_another_department_does_not_see(session, demo_users):
    mine, _ = _clients(session, demo_users)
    senior = demo_users["senior"]
    from models.identity.users import ensure_departments
    senior.department = ensure_departments(session)["legal"]
    session.commit()
    assert not can_access(senior, mine, "view")
    assert session.scalars(scoped(senior, Client).where(Client.id == mine.id)).first() is None


def test_role_permissions(demo_users):
    assert has_permission(demo_users["admin"], Permission.MANAGE_USERS)
    assert not has_permission(demo_users["manager"], Permission.MANAGE_USERS)
    assert has_permission(demo_users["analyst"], Permission.VIEW_PROCESSES)
    demo_users["analyst"].is_active = False
    assert not has_permission(demo_users["analyst"], Permission.USE_CRM)


def test_unknown_record_types_are_denied(demo_users):
    assert not can_access(demo_users["head"], object(), "view")
    assert can_access(demo_users["admin"], object(), "view")


def test_no_self_reporting(session, demo_users):
    import pytest

    from models.identity.service import UserError

    user = demo_users["manager"]
    with pytest.raises(UserError, match="самому себе"):
        set_manager_and_deputy(session, user, user.id, None)
    with pytest.raises(UserError, match="самому себе"):
        set_manager_and_deputy(session, user, None, user.id)
