"""The main navigation: sections in order, each shown when its page exists and the user may see it.

The set-up sections an administrator or analyst opens now and then (processes, the studio, users,
integrations) sit in one «Настройка» menu, so the bar keeps one row at 1440 px even for an
administrator, who sees every section.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, request
from flask_login import current_user
from markupsafe import Markup

from models.platform.permissions import Permission, has_permission


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    permission: Permission
    icon: str
    group: str | None = None  # the drop-down menu the item sits in; None: on the bar itself


SETUP = "Настройка"

NAV = (
    NavItem("Входящие", "inbox.index", Permission.USE_CRM, "inbox"),
    NavItem("Клиенты", "clients.index", Permission.VIEW_CLIENTS, "building"),
    NavItem("Лиды", "leads.index", Permission.USE_CRM, "funnel"),
    NavItem("Сделки", "deals.index", Permission.USE_CRM, "briefcase"),
    NavItem("Скидки", "discounts.index", Permission.USE_CRM, "percent"),
    NavItem("Продления", "contracts.renewals", Permission.USE_CRM, "arrow-repeat"),
    NavItem("Запросы", "collaboration.requests_journal", Permission.USE_CRM, "send"),
    NavItem("Документы", "documents.index", Permission.USE_CRM, "file-earmark-text"),
    NavItem("Отчёты", "reports.index", Permission.VIEW_REPORTS, "bar-chart"),
    NavItem("Качество данных", "quality.index", Permission.VIEW_REPORTS, "clipboard-check"),
    NavItem("Процессы", "processes.index", Permission.VIEW_PROCESSES, "diagram-3", SETUP),
    NavItem("Студия процессов", "studio.index", Permission.VIEW_PROCESSES, "bezier2", SETUP),
    NavItem("Пользователи и роли", "admin.users", Permission.MANAGE_USERS, "people", SETUP),
    NavItem("Интеграции", "integrations.index", Permission.MANAGE_USERS, "plug", SETUP),
)


def _entry(item: NavItem) -> dict:
    return {"item": item, "ready": item.endpoint in current_app.view_functions,
            "section": item.endpoint.split(".")[0]}


def visible_nav() -> list[dict]:
    """Bar entries for the current user, in order: an item, or a group with its items.

    A section whose blueprint is not installed is shown disabled; a group appears where its
    first visible item would be. The entries depend only on the role (the permissions are the
    role's, the installed blueprints the app's), so each role's list is made once per app.
    """
    if not current_user.is_authenticated or not current_user.is_active:
        return []
    lists = current_app.extensions.setdefault("crm.nav_by_role", {})
    role = current_user.role
    if role not in lists:
        lists[role] = _entries(current_user)
    return lists[role]


def _entries(user) -> list[dict]:
    entries: list[dict] = []
    groups: dict[str, dict] = {}
    for item in NAV:
        if not has_permission(user, item.permission):
            continue
        if item.group is None:
            entries.append(_entry(item))
            continue
        if item.group not in groups:
            groups[item.group] = {"group": item.group, "items": []}
            entries.append(groups[item.group])
        groups[item.group]["items"].append(_entry(item))
    return entries


def short_person_name(full_name: str) -> str:
    """The user menu's button: «В. А. Орлов» for «Виктор Андреевич Орлов», «Администратор С.» for
    «Администратор Системы»; other shapes as they are (the full name is the button's title)."""
    words = full_name.split()
    if len(words) == 3:
        return f"{words[0][0]}. {words[1][0]}. {words[2]}"
    if len(words) == 2:
        return f"{words[0]} {words[1][0]}."
    return full_name


_BADGED = frozenset(item.endpoint for item in NAV)
NAV_BARS_KEPT = 2048  # rendered bars kept per app: roles × sections × badge numbers seen lately


def nav_bar(badges: dict[str, int]) -> Markup:
    """The bar's sections for the current user on the current page, with ``badges`` on its items.

    The bar depends only on the role (its entries), the page's section (the active item), the
    badge numbers and the script root, so each such bar is rendered once and kept: rendering it
    was two thirds of the layout's cost on every page (0.33 of 0.52 ms). The kept bars are
    forgotten all at once when ``NAV_BARS_KEPT`` are reached.
    """
    entries = visible_nav()
    if not entries:
        return Markup("")
    section = request.endpoint.split(".")[0] if request.endpoint else None
    shown = tuple(sorted((endpoint, n) for endpoint, n in badges.items() if endpoint in _BADGED and n))
    key = (current_user.role, section, shown, request.script_root)
    bars: dict[tuple, Markup] = current_app.extensions.setdefault("crm.nav_bars", {})
    bar = bars.get(key)
    if bar is None:
        if len(bars) >= NAV_BARS_KEPT:
            bars.clear()
        html = current_app.jinja_env.get_template("_nav.html").render(
            entries=entries, section=section, badges=dict(shown))
        bar = bars[key] = Markup(html)  # noqa: S704  (an autoescaped template's output)
    return bar


def init_app(app: Flask) -> None:
    app.context_processor(lambda: {"nav_bar": nav_bar})
    app.add_template_filter(short_person_name, "short_person_name")
