"""Money, percentages, durations and days written and read the Russian way (one place for each)."""

from datetime import date
from decimal import Decimal

import pytest

from models.platform.dates import parse_day, russian_day
from models.platform.money import parse_amount, percent, rub
from web.formatting import duration, money_input, number_input


def test_money_and_percent_are_written_the_russian_way():
    assert rub(Decimal("1500000.5")) == "1 500 000,50 ₽"
    assert rub(None) == "—" and rub(0) == "0,00 ₽" and rub("-1234.5") == "-1 234,50 ₽"
    assert money_input(Decimal("1500000.50")) == "1 500 000,50" and money_input(None) == ""
    assert percent(Decimal("7.50")) == "7,5 %" and percent(50) == "50 %" and percent(None) == "—"
    assert number_input(Decimal("15.00")) == "15" and number_input(Decimal("7.5")) == "7,5"


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
    assert parse_day("31.12.2026") == parse_day("2026-12-31") == date(2026, 12, 31)
    assert parse_day(" 1.2.2027 ") == date(2027, 2, 1) and russian_day(date(2027, 2, 1)) == "01.02.2027"
    for bad in ("31.02.2026", "12/31/2026", "завтра"):
        with pytest.raises(ValueError, match=r"ДД\.ММ\.ГГГГ"):
            parse_day(bad)
