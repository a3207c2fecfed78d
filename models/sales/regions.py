"""Regions and industries a lead may name, and the region a landline number gives away.

The site form offers these lists so a lead arrives with the territory and industry that
``processes/lead_team.dmn`` routes by; without them every site lead fell into the general
flow. A person who skips the region but leaves a landline number still names it: the
area code («+7 (812) …» is Санкт-Петербург) is read here. Mobile numbers (+7 9xx) are
not tied to a region since number portability, so they give nothing.
"""

from __future__ import annotations

REGIONS: tuple[str, ...] = (
    "Москва", "Московская область", "Санкт-Петербург", "Ленинградская область", "Екатеринбург",
    "Новосибирск", "Казань", "Нижний Новгород", "Самара", "Ростов-на-Дону", "Краснодар", "Воронеж",
    "Пермь", "Уфа", "Челябинск", "Красноярск", "Владивосток", "Другой регион",
)
INDUSTRIES: tuple[str, ...] = (
    "Логистика", "Транспорт", "Строительство", "Производство", "Розничная торговля", "Оптовая торговля",
    "ИТ", "Медицина", "Сельское хозяйство", "Энергетика", "Финансы", "Образование", "Другое",
)
# Geographic area codes (ABC codes of the Russian numbering plan) of the regions above.
AREA_CODES: dict[str, str] = {
    "495": "Москва", "499": "Москва", "496": "Московская область", "498": "Московская область",
    "812": "Санкт-Петербург", "813": "Ленинградская область", "343": "Екатеринбург", "383": "Новосибирск",
    "843": "Казань", "831": "Нижний Новгород", "846": "Самара", "863": "Ростов-на-Дону", "861": "Краснодар",
    "473": "Воронеж", "342": "Пермь", "347": "Уфа", "351": "Челябинск", "391": "Красноярск",
    "423": "Владивосток",
}


def region_from_phone(phone: str | None) -> str | None:
    """The region of a normalised ``+7XXXXXXXXXX`` landline number, ``None`` for mobiles and the unknown."""
    if not phone or not phone.startswith("+7") or len(phone) != 12:
        return None
    return AREA_CODES.get(phone[2:5])
