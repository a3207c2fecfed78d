"""Jinja filters that show stored UTC times, money and phone numbers the Russian way."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_login import current_user

from models.clients.phones import display_phone
from models.platform import money


def _zone() -> ZoneInfo:
    name = getattr(current_user, "timezone", None) or current_app.extensions["crm.settings"].timezone
    return ZoneInfo(name)


def local_dt(value: datetime | None, fmt: str = "%d.%m.%Y %H:%M") -> str:
    """A UTC timestamp in the viewer's zone (Europe/Moscow by default)."""
    if value is None:
        return "—"
    return value.astimezone(_zone()).strftime(fmt)


def rub(value: Decimal | None) -> str:
    """Money as «1 234 567,89 ₽» (``models.platform.money``, the one formatter)."""
    return money.rub(value)


def pct(value: Decimal | int | float | None) -> str:
    """A percentage as «7,5 %»."""
    return money.percent(value)


def phone(value: str | None) -> str:
    """A stored E.164 number as «+7 (495) 500-55-50»; the stored value itself never changes."""
    return display_phone(value)


def init_app(app: Flask) -> None:
    """Register the filters: ``local_dt``, ``rub``, ``pct`` and ``phone`` (``|map('phone')`` for lists)."""
    app.add_template_filter(local_dt, "local_dt")
    app.add_template_filter(rub, "rub")
    app.add_template_filter(pct, "pct")
    app.add_template_filter(phone, "phone")
