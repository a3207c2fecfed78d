"""The engine as the app builds it: services from the package registry, the user directory,
``crm deploy`` storing the forms of what it deploys."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.ports import EngineServices
from engine.tables import ProcessDefinition, ProcessForm
from models.identity.users import Absence
from models.platform.clock import ManualClock
from models.platform.registry import Registry, RegistryError
from models.platform.settings import PROJECT_ROOT, Settings
from web.cli import cli
from web.engine_support import engine_services


def test_the_app_builds_the_engine_services_once_from_its_registry(app, clock):
    services = engine_services(app)
    assert engine_services(app) is services
    assert services.clock is clock
    assert services.settings is app.extensions["crm.settings"]
    assert services.operations is app.extensions["crm.registry"].operations
    assert {"crm.calculate_premium", "clients.check_requisites", "mail.send"} <= set(services.operations)


@pytest.mark.nodb
def test_without_a_user_directory_no_engine_can_be_built():
    with pytest.raises(RegistryError, match="справочник пользователей"):
        EngineServices.from_registry(Registry(), ManualClock(), Settings())


def test_the_directory_resolves_users_applies_the_deputy_rule_and_names_people(app, session, demo_users,
                                                                                clock):
    directory = engine_services(app).directory
    manager, manager2 = demo_users["manager"], demo_users["manager2"]
    assert directory.user_id(session, "Manager") == manager.id
    assert directory.user_id(session, str(manager.id)) == manager.id
    assert directory.user_id(session, manager.id) == manager.id
    assert directory.user_id(session, "nobody") is None
    assert directory.user_id(session, 10**6) is None
    assert directory.names(session, [manager.id, manager2.id, 10**6]) == {
        manager.id: manager.full_name, manager2.id: manager2.full_name}

    today = clock.now().date()
    assert directory.effective_assignee(session, manager.id, today) == (manager.id, None)
    manager.deputy_id = manager2.id
    session.add(Absence(user_id=manager.id, starts_on=today, ends_on=today + timedelta(days=3)))
    session.commit()
    assert directory.effective_assignee(session, manager.id, today) == (manager2.id, manager.id)


def test_crm_deploy_stores_the_forms_the_shipped_processes_reference(app, session):
    result = app.test_cli_runner().invoke(cli, ["deploy", str(PROJECT_ROOT / "processes"), "--json"])
    assert result.exit_code == 0, result.stderr
    stored = set(session.execute(select(ProcessDefinition.key, ProcessForm.name)
                                 .join(ProcessForm, ProcessForm.definition_id == ProcessDefinition.id)).all())
    assert {("lead_handling", "lead_outcome.schema.json"), ("client_callback", "client_callback.schema.json"),
            ("client_callback", "client_callback.ui.json"),
            ("client_data_review", "client_requisites_fix.schema.json")} <= stored
    again = app.test_cli_runner().invoke(cli, ["deploy", str(PROJECT_ROOT / "processes"), "--json"])
    assert '"new"' not in again.stdout and '"updated"' not in again.stdout
