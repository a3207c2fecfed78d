"""What custom reports are built on: entities, their fields, and how rows are narrowed to the user's rights.

An entity is declared through the registry (``registry.service("reports.entity.<code>", …)``),
so a package that lands later (contracts) adds its own without touching this one; this
module declares deals, clients, leads, tasks and activities. Every query starts from
``ReportEntity.scope`` — the owning package's record-level rule (``scoped``) — so a report
never shows a row the viewer could not open.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, or_, select

from models.clients.cards import Client
from models.identity.users import User
from models.platform.permissions import scoped
from models.platform.registry import Registry, installed
from models.sales.activities import Activity
from models.sales.deals import Deal
from models.sales.funnels import Funnel, FunnelStage, LossReason
from models.sales.leads import Lead
from models.tasks.adhoc import Task

ENTITY_PREFIX = "reports.entity."
TYPES = ("text", "int", "money", "percent", "date", "datetime")


@dataclass(frozen=True)
class ReportField:
    name: str
    label: str
    column: Any  # an SQL expression over the entity's query
    type: str = "text"  # one of TYPES: decides the export format and which measures apply
    groupable: bool = True
    join: tuple[Any, Any] | None = None  # (table, on): outer-joined only when a report uses the field
    # (foreign key on the entity, the looked-up table's key): grouping by the field groups by the
    # foreign key first and looks the names up afterwards, once per group instead of once per row
    key: tuple[Any, Any] | None = None


@dataclass(frozen=True)
class ReportEntity:
    code: str
    label: str
    fields: tuple[ReportField, ...]
    base: Callable[[], Select]  # the entity's rows with the joins its fields need (no columns chosen yet)
    scope: Callable[[User, Select], Select]  # narrows ``base`` to what the user may read

    def field(self, name: str) -> ReportField | None:
        return next((f for f in self.fields if f.name == name), None)

    def joined(self, stmt: Select, used: list[ReportField]) -> Select:
        """``stmt`` with the outer joins the ``used`` fields need, each once, in declaration order.

        A report over the deal's own columns then reads the deal table (or one of its covering
        indexes) alone: SQLite keeps an unused outer join to a primary key, so it is never added.
        """
        wanted = {id(f.join[0]) for f in used if f.join is not None}
        seen: set[int] = set()
        for f in self.fields:
            if f.join is not None and id(f.join[0]) in wanted and id(f.join[0]) not in seen:
                seen.add(id(f.join[0]))
                stmt = stmt.outerjoin(*f.join)
        return stmt


def entities() -> dict[str, ReportEntity]:
    """Every entity packages declared, by code, in declaration order."""
    return {
        v.code: v
        for k, v in installed().services.items()
        if k.startswith(ENTITY_PREFIX) and isinstance(v, ReportEntity)
    }


def _owner() -> Any:
    return User.full_name


def _deals() -> Select:
    return select(Deal.id).select_from(Deal)


_CLIENT = (Client, Client.id == Deal.client_id)
_DEAL_OWNER = (User, User.id == Deal.owner_id)

DEALS = ReportEntity(
    "deals",
    "Сделки",
    (
        ReportField("title", "Сделка", Deal.title, groupable=False),
        ReportField("client", "Клиент", Client.full_name, join=_CLIENT),
        ReportField("industry", "Отрасль", Client.industry, join=_CLIENT),
        ReportField("funnel", "Воронка", Funnel.name, join=(Funnel, Funnel.id == Deal.funnel_id)),
        ReportField("stage", "Этап", FunnelStage.name, join=(FunnelStage, FunnelStage.id == Deal.stage_id)),
        ReportField("status", "Статус", Deal.status),
        ReportField("owner", "Менеджер", _owner(), join=_DEAL_OWNER, key=(Deal.owner_id, User.id)),
        ReportField("loss_reason", "Причина проигрыша", LossReason.name,
                    join=(LossReason, LossReason.id == Deal.loss_reason_id)),
        ReportField("premium", "Премия", Deal.premium, "money", groupable=False),
        ReportField("amount", "Страховая сумма", Deal.amount, "money", groupable=False),
        ReportField("probability", "Вероятность", Deal.probability, "percent"),
        ReportField("expected_close_date", "Ожидаемая дата закрытия", Deal.expected_close_date, "date"),
        ReportField("created_at", "Создана", Deal.created_at, "datetime"),
        ReportField("closed_at", "Закрыта", Deal.closed_at, "datetime"),
    ),
    _deals,
    lambda user, stmt: scoped(user, Deal, stmt),
)

CLIENTS = ReportEntity(
    "clients",
    "Клиенты",
    (
        ReportField("name", "Клиент", Client.full_name, groupable=False),
        ReportField("kind", "Тип", Client.kind),
        ReportField("industry", "Отрасль", Client.industry),
        ReportField("territory", "Территория", Client.territory),
        ReportField("status", "Статус", Client.status),
        ReportField("owner", "Менеджер", _owner()),
        ReportField("created_at", "Создан", Client.created_at, "datetime"),
    ),
    lambda: select(Client.id).select_from(Client).outerjoin(User, User.id == Client.owner_id),
    lambda user, stmt: scoped(user, Client, stmt),
)

LEADS = ReportEntity(
    "leads",
    "Лиды",
    (
        ReportField("company", "Компания", Lead.company, groupable=False),
        ReportField("source", "Источник", Lead.source),
        ReportField("utm_source", "utm_source", Lead.utm_source),
        ReportField("status", "Статус", Lead.status),
        ReportField("territory", "Территория", Lead.territory),
        ReportField("industry", "Отрасль", Lead.industry),
        ReportField("owner", "Менеджер", _owner()),
        ReportField("created_at", "Поступил", Lead.created_at, "datetime"),
    ),
    lambda: select(Lead.id).select_from(Lead).outerjoin(User, User.id == Lead.assigned_to_id),
    lambda user, stmt: scoped(user, Lead, stmt),
)

TASKS = ReportEntity(
    "tasks",
    "Задачи",
    (
        ReportField("title", "Задача", Task.title, groupable=False),
        ReportField("status", "Статус", Task.status),
        ReportField("priority", "Приоритет", Task.priority, "int"),
        ReportField("owner", "Исполнитель", _owner()),
        ReportField("due_at", "Срок", Task.due_at, "datetime"),
        ReportField("created_at", "Создана", Task.created_at, "datetime"),
    ),
    lambda: select(Task.id).select_from(Task).outerjoin(User, User.id == Task.assignee_id),
    lambda user, stmt: scoped(user, Task, stmt),
)


def _activity_scope(user: User, stmt: Select) -> Select:
    """An activity is readable with its deal, or when it is the user's own."""
    deals = scoped(user, Deal, select(Deal.id))
    return stmt.where(or_(Activity.deal_id.in_(deals), Activity.user_id == user.id))


ACTIVITIES = ReportEntity(
    "activities",
    "Активности",
    (
        ReportField("subject", "Тема", Activity.subject, groupable=False),
        ReportField("kind", "Вид", Activity.kind),
        ReportField("owner", "Сотрудник", _owner()),
        ReportField("happened_at", "Когда", Activity.happened_at, "datetime"),
    ),
    lambda: select(Activity.id).select_from(Activity).outerjoin(User, User.id == Activity.user_id),
    _activity_scope,
)


def register(registry: Registry) -> None:
    for entity in (DEALS, CLIENTS, LEADS, TASKS, ACTIVITIES):
        registry.service(ENTITY_PREFIX + entity.code, entity)
