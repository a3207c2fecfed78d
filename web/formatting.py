"""Jinja filters that show stored UTC times, money and phone numbers the Russian way."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g
from flask_login import current_user
from markupsafe import Markup, escape

from models.clients.phones import display_phone
from models.platform import money
from models.platform.durations import days_text, duration_text


def viewer_zone() -> ZoneInfo:
    """The viewer's time zone (the company's for users who chose none), found once per request: a
    list page formats hundreds of times. Views, the API and the filters all take it from here."""
    zone = g.get("crm_zone")
    if zone is None:
        name = getattr(current_user, "timezone", None) or current_app.extensions["crm.settings"].timezone
        zone = g.crm_zone = ZoneInfo(name)
    return zone


def local_dt(value: datetime | None, fmt: str = "%d.%m.%Y %H:%M") -> str:
    """A UTC timestamp in the viewer's zone (Europe/Moscow by default)."""
    if value is None:
        return "—"
    return value.astimezone(viewer_zone()).strftime(fmt)


def rub(value: Decimal | None) -> str:
    """Money as «1 234 567,89 ₽» (``models.platform.money``, the one formatter)."""
    return money.rub(value)


def pct(value: Decimal | int | float | None) -> str:
    """A percentage as «7,5 %»."""
    return money.percent(value)


def duration(seconds: timedelta | int | float | None, precise: bool = False) -> str:
    """A time span as «2 дн. 4 ч», «3 ч 15 мин», «5 мин» (``models.platform.durations``)."""
    return duration_text(seconds, precise)


def days(value: Decimal | float | None) -> str:
    """A span counted in days («12.5», an average cycle) as «12 дн. 12 ч»."""
    return days_text(None if value is None else float(value))


def money_input(value: Decimal | None) -> str:
    """A stored amount as a money input shows it: «1 500 000,50» (never «1500000.50»); empty for none."""
    return "" if value is None else money.group(Decimal(str(value)).quantize(money.CENT))


def number_input(value: Decimal | int | float | None) -> str:
    """A stored number (a discount in per cent) as an input shows it: «7,5», «15»; empty for none."""
    return "" if value is None else money.percent(value).removesuffix(" %")


def phone(value: str | None) -> str:
    """A stored E.164 number as «+7 (495) 500-55-50»; the stored value itself never changes."""
    return display_phone(value)


_QUOTED_NAME = re.compile(r"«([A-Za-z_][A-Za-z0-9_]*)»")


def names_as_code(text: str | None) -> Markup:
    """A message with the diagram's own names in «…» (a parameter «due_in», a task «approve») shown
    as code: an analyst needs the exact name to find it in the diagram, and a code block marks it
    as a name, not an untranslated word. Escaped first, so the text cannot carry markup."""
    escaped = str(escape(text or ""))
    return Markup(_QUOTED_NAME.sub(r"«<code>\1</code>»", escaped))  # noqa: S704 (escaped above)


def init_app(app: Flask) -> None:
    """Register the Russian filters: dates, money, percentages, durations, phones, input values."""
    app.add_template_filter(local_dt, "local_dt")
    app.add_template_filter(rub, "rub")
    app.add_template_filter(pct, "percent")  # «pct», the number alone, is the discounts filter
    app.add_template_filter(money_input, "money_input")
    app.add_template_filter(duration, "duration")
    app.add_template_filter(days, "days")
    app.add_template_filter(number_input, "number_input")
    app.add_template_filter(phone, "phone")
    app.add_template_filter(names_as_code, "names_as_code")
