"""The demo hook of the sales area: funnels, teams, deals, and leads that went through the process."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.definitions import latest_definition
from engine.runtime import ProcessEngine
from models.demo_deals import ensure_demo_deals
from models.leads import Lead, check_lead_input
from models.processes import HumanTask, TaskStatus
from web.lead_intake import submit_lead

DEMO_LEADS = (
    ({"name": "Олег Сидоров", "company": "ООО «Быстрая доставка»", "phone": "+7 916 100-20-30",
      "territory": "Москва", "industry": "Логистика", "utm_source": "yandex", "utm_campaign": "kasko"}, None),
    ({"name": "Ирина Волкова", "email": "irina.volkova@example.ru", "client_kind": "person",
      "comment": "ДМС для семьи"}, None),
    ({"company": "Администрация г. Казани", "email": "zakupki@kazan.example.ru", "territory": "Казань",
      "industry": "Госсектор"}, None),
    ({"name": "Пётр Ильин", "company": "АО «СтройМонтаж»", "phone": "+7 903 555-12-12",
      "territory": "Екатеринбург", "industry": "Строительство"}, {"outcome": "qualified", "premium": "850000",
                                                                  "product": "Имущество"}),
    ({"name": "Случайный посетитель", "email": "test@example.ru"},
     {"outcome": "not_relevant", "reason": "Тестовая заявка, не клиент"}),
)


def _demo_leads(session: Session) -> int:
    if latest_definition(session, "lead_handling") is None or session.scalar(select(func.count(Lead.id))):
        return 0
    settings = current_app.extensions["crm.settings"]
    engine = ProcessEngine(session, current_app.extensions["crm.clock"], settings.forms_dir, settings)
    for raw, outcome in DEMO_LEADS:
        checked = check_lead_input({**raw, "source": "site"})
        lead = submit_lead(session, engine, checked.values, source="site", user_id=None, remote_addr=None)
        if outcome is None:
            continue
        task = session.scalar(select(HumanTask).where(HumanTask.business_type == "lead",
                                                      HumanTask.business_id == lead.id,
                                                      HumanTask.status == TaskStatus.OPEN))
        engine.complete_task(task.id, outcome, task.assignee_id)
    return len(DEMO_LEADS)


def demo_hook(session: Session) -> dict[str, int]:
    """Funnels, teams and deals first (routing needs teams), then leads through the process."""
    deals = ensure_demo_deals(session, current_app.extensions["crm.clock"].now())
    return {"deals": deals, "leads": _demo_leads(session)}
