"""Money, percentages, durations and days written and read the Russian way (one place for each)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from models.home.health import lag_text
from models.home.requests import sla_text
from models.platform.dates import parse_day, russian_day
from models.platform.money import parse_amount, percent, rub
from web.formatting import days, duration, money_input, number_input
from web.processes.views import duration as process_step
from web.studio.formatting import span


def test_money_and_percent_are_written_the_russian_way():
    assert rub(Decimal("1500000.5")) == "1 500 000,50 ₽"
    assert rub(None) == "—" and rub(0) == "0,00 ₽" and rub("-1234.5") == "-1 234,50 ₽"
    assert money_input(Decimal("1500000.50")) == "1 500 000,50" and money_input(None) == ""
    assert percent(Decimal("7.50")) == "7,5 %" and percent(50) == "50 %" and percent(None) == "—"
    assert number_input(Decimal("15.00")) == "15" and number_input(Decimal("7.5")) == "7,5"


def test_a_whole_percentage_and_a_stored_amount_read_as_through_the_general_path():
    """``percent`` of an int and ``rub`` of a ``Decimal`` skip the text round trip, not the rules."""
    for whole in (*range(-120, 1001), 10**6):
        assert percent(whole) == percent(str(whole)) == percent(Decimal(whole))
    for amount in ("0", "0.005", "0.015", "12.345", "-7.5", "1500000.5", "999999999.999"):
        assert rub(Decimal(amount)) == rub(amount)


def test_amounts_are_read_however_people_type_them():
    for typed in ("1 500 000,50", "1\u00a0500\u00a0000,50 ₽", "1500000.5", "1 500 000,50 руб.", 1500000.5):
        assert parse_amount(typed) == Decimal("1500000.50")
    assert parse_amount("-5", negative=True) == Decimal("-5.00")
    for bad in ("-5", "1,5,0", "12 34", "1e5", True, "1 500 000,505"):
        with pytest.raises(ValueError):
            parse_amount(bad)


def test_durations_and_days():
    assert duration(2 * 86400 + 4 * 3600 + 59) == "2 дн. 4 ч"
    assert duration(3 * 3600 + 15 * 60) == "3 ч 15 мин" and duration(30) == "меньше минуты"
    assert duration(timedelta(days=2, hours=4, minutes=5)) == "2 дн. 4 ч" and duration(None) == "—"
    assert duration(0.25, precise=True) == "250 мс" and duration(45, precise=True) == "45 с"
    assert duration(3 * 86400) == "3 дн." and duration(86400 + 5 * 60) == "1 дн. 5 мин"
    assert days(Decimal("12.5")) == "12 дн. 12 ч" and days(None) == "—"


def test_every_duration_on_screen_goes_through_the_one_formatter():
    """SLA left and overdue, a process step, the scheduler's lag, a discount's wait: «2 дн. 4 ч»."""
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    assert sla_text(now + timedelta(minutes=45), now) == "SLA: осталось 45 мин"  # was «0 ч»
    assert sla_text(now - timedelta(days=2, hours=4), now) == "SLA просрочен на 2 дн. 4 ч"
    assert lag_text(timedelta(hours=2)) == "2 ч" and lag_text(None) == "нет отставания"
    assert process_step(120_000) == "2 мин" and process_step(350) == "350 мс"
    assert process_step(3 * 86_400_000) == "3 дн."  # was «4320 мин»
    assert span(2 * 3600 + 5 * 60) == "2 ч 5 мин" and span(3 * 86400 + 4 * 3600) == "3 дн. 4 ч"
    assert parse_day("31.12.2026") == parse_day("2026-12-31") == date(2026, 12, 31)
    assert parse_day(" 1.2.2027 ") == date(2027, 2, 1) and russian_day(date(2027, 2, 1)) == "01.02.2027"
    for bad in ("31.02.2026", "12/31/2026", "завтра"):
        with pytest.raises(ValueError, match=r"ДД\.ММ\.ГГГГ"):
            parse_day(bad)
