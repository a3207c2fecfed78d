"""Fixtures of the client tests: a fake DaData-compatible registry on 127.0.0.1, card factories.

The registry (``tests/registry_fake.py``, shared with the lead intake tests) is a real
``http.server`` on a free port answering ``findById/party`` in the real API's format.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from models.clients.cards import Client, Contact
from models.clients.requisites import make_inn10, make_inn12, make_kpp, make_ogrn, make_ogrnip
from models.platform.audit import acting_as
from tests.registry_fake import REGISTRY_TOKEN, SBER, FakeRegistry, registry  # noqa: F401  (fixture)


@pytest.fixture
def settings_overrides(request: pytest.FixtureRequest) -> dict:
    """Point the app at the fake registry when a test uses it; short registry timeout."""
    overrides: dict[str, Any] = {"extra": {"CRM_REGISTRY_TIMEOUT": 0.5}}
    if "registry" in request.fixturenames:
        state = request.getfixturevalue("registry")
        overrides.update(registry_url=state.url, registry_token=REGISTRY_TOKEN)
    return overrides


_RNG = random.Random(4)


def company_values(name: str = "Ромашка", **overrides: Any) -> dict[str, Any]:
    """Valid input of a company card (fresh checksum-valid INN and OGRN each call)."""
    values = {"kind": "company", "full_name": f"Общество с ограниченной ответственностью «{name}»",
              "short_name": f"ООО «{name}»", "inn": make_inn10(_RNG), "kpp": make_kpp(),
              "ogrn": make_ogrn(_RNG), "phones": "", "emails": "", "status": "active"}
    values.update(overrides)
    return values


def entrepreneur_values(name: str = "Иванов Иван", **overrides: Any) -> dict[str, Any]:
    values = {"kind": "entrepreneur", "full_name": f"ИП {name}", "inn": make_inn12(_RNG),
              "ogrn": make_ogrnip(_RNG), "status": "active"}
    values.update(overrides)
    return values


def make_client(session, owner, name: str = "Ромашка", contacts: tuple[str, ...] = (),
                **fields: Any) -> Client:
    """A saved company owned by ``owner`` (audit actor: the owner)."""
    data = {"kind": "company", "full_name": f"Общество с ограниченной ответственностью «{name}»",
            "short_name": f"ООО «{name}»", "inn": make_inn10(_RNG), "kpp": make_kpp(),
            "ogrn": make_ogrn(_RNG), "owner_id": owner.id if owner else None}
    data.update(fields)
    with acting_as(owner.id if owner else None):
        client = Client(**data)
        for contact_name in contacts:
            client.contacts.append(Contact(full_name=contact_name))
        session.add(client)
        session.commit()
    return client
