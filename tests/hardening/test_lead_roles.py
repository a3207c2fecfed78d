"""Defect 10: only sales roles create leads (page and API); the public form stays open."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models.sales.leads import Lead
from tests.hardening.conftest import bearer

LEAD = {"company": "ООО «Из API»", "email": "api@example.ru"}


@pytest.mark.parametrize("role_login", ["lawyer", "underwriter", "analyst", "product"])
def test_non_sales_roles_cannot_create_leads(client, session, tokens, funnels, role_login):
    answer = client.post("/api/v1/leads", json=LEAD, headers=bearer(tokens[role_login]))
    assert answer.status_code == 403
    assert "Лиды заводят продажи" in answer.get_json()["error"]["message"]
    assert session.scalar(select(func.count()).select_from(Lead)) == 0


def test_a_manager_still_creates_leads(client, session, tokens, funnels, deployed):
    assert client.post("/api/v1/leads", json=LEAD, headers=bearer(tokens["manager"])).status_code == 201
