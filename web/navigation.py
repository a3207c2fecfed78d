"""The main navigation: sections in order, each shown when its page exists and the user may see it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app
from flask_login import current_user

from models.platform.permissions import Permission, has_permission


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    permission: Permission
    icon: str


NAV = (
    NavItem("Входящие", "inbox.index", Permission.USE_CRM, "inbox"),
    NavItem("Клиенты", "clients.index", Permission.VIEW_CLIENTS, "building"),
    NavItem("Лиды", "leads.index", Permission.USE_CRM, "funnel"),
    NavItem("Сделки", "deals.index", Permission.USE_CRM, "briefcase"),
    NavItem("Скидки", "discounts.index", Permission.USE_CRM, "percent"),
    NavItem("На продление", "contracts.renewals", Permission.USE_CRM, "arrow-repeat"),
    NavItem("Запросы", "collaboration.requests_journal", Permission.USE_CRM, "send"),
    NavItem("Документы", "documents.index", Permission.USE_CRM, "file-earmark-text"),
    NavItem("Процессы", "processes.index", Permission.VIEW_PROCESSES, "diagram-3"),
    NavItem("Студия процессов", "studio.index", Permission.VIEW_PROCESSES, "bezier2"),
    NavItem("Качество данных", "quality.index", Permission.VIEW_REPORTS, "clipboard-check"),
    NavItem("Отчёты", "reports.index", Permission.VIEW_REPORTS, "bar-chart"),
    NavItem("Администрирование", "admin.users", Permission.MANAGE_USERS, "gear"),
    NavItem("Интеграции", "integrations.index", Permission.MANAGE_USERS, "plug"),
)


def visible_nav() -> list[dict]:
    """Items for the current user; a section whose blueprint is not installed is shown disabled."""
    if not current_user.is_authenticated:
        return []
    items = []
    for item in NAV:
        if not has_permission(current_user, item.permission):
            continue
        ready = item.endpoint in current_app.view_functions
        items.append({"item": item, "ready": ready})
    return items


def init_app(app: Flask) -> None:
    app.context_processor(lambda: {"nav_items": visible_nav})
