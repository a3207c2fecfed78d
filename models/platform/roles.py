"""Roles and departments of the company, with their Russian names.

These are fixed vocabularies the permission layer and the processes (lanes, candidate
roles) refer to, so they live in code rather than in a table admins can break.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    MANAGER = "manager"
    SENIOR_MANAGER = "senior_manager"
    BACK_OFFICE = "back_office"
    LAWYER = "lawyer"
    UNDERWRITER = "underwriter"
    PRODUCT_SPECIALIST = "product_specialist"
    HEAD = "head"
    ANALYST = "analyst"
    ADMIN = "admin"


ROLE_LABELS: dict[Role, str] = {
    Role.MANAGER: "Менеджер",
    Role.SENIOR_MANAGER: "Старший менеджер",
    Role.BACK_OFFICE: "Бэк-офис",
    Role.LAWYER: "Юрист",
    Role.UNDERWRITER: "Андеррайтер",
    Role.PRODUCT_SPECIALIST: "Продуктолог",
    Role.HEAD: "Руководитель",
    Role.ANALYST: "Аналитик",
    Role.ADMIN: "Администратор",
}

# Department code -> Russian name. Codes are stable identifiers used by processes.
DEPARTMENTS: dict[str, str] = {
    "sales": "Продажи",
    "deal_support": "Сопровождение сделок",
    "underwriting": "Андеррайтинг",
    "legal": "Юридический отдел",
    "management": "Руководство",
}


def parse_role(value: str) -> Role:
    """Return the role named by ``value`` or raise ``ValueError`` with a Russian message."""
    try:
        return Role(value)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise ValueError(f"Неизвестная роль «{value}». Допустимые: {allowed}") from None
