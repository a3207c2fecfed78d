"""Regions and industries a lead may name, and the region a landline number gives away.

The site form offers these lists so a lead arrives with the territory and industry that
``processes/lead_team.dmn`` routes by; without them every site lead fell into the general
flow. A person who skips the region but leaves a landline number still names it: the
area code («+7 (812) …» is Санкт-Петербург) is read here. Mobile numbers (+7 9xx) are
not tied to a region since number portability, so they give nothing. A lead that names its
INN but no industry gets the industry of its main ОКВЭД 2 code, as the company registry
states it (``industry_from_okved``).
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

# ОКВЭД 2 (ОК 029-2014) code prefixes -> the industries above; the longest matching prefix wins.
# Codes with no line (state administration, utilities, services to households) give no industry:
# the lead is routed by its region alone rather than by a guess.
OKVED_INDUSTRIES: dict[str, str] = {
    **dict.fromkeys(("01", "02", "03"), "Сельское хозяйство"),
    **dict.fromkeys(("05", "06", "09.1", "19", "35"), "Энергетика"),
    **dict.fromkeys(("07", "08", *(str(n) for n in range(10, 34) if n != 19)), "Производство"),
    **dict.fromkeys(("41", "42", "43"), "Строительство"),
    "45": "Розничная торговля", "46": "Оптовая торговля", "47": "Розничная торговля",
    **dict.fromkeys(("49", "50", "51"), "Транспорт"),
    **dict.fromkeys(("49.4", "52", "53"), "Логистика"),
    **dict.fromkeys(("58", "61", "62", "63"), "ИТ"),
    **dict.fromkeys(("64", "65", "66"), "Финансы"),
    "85": "Образование", "86": "Медицина",
}


def industry_from_okved(code: str | None) -> str | None:
    """The industry of an ОКВЭД 2 code («49.41» -> «Логистика», «49.31» -> «Транспорт»), None if unknown."""
    code = (code or "").strip()
    for length in range(len(code), 1, -1):
        industry = OKVED_INDUSTRIES.get(code[:length].rstrip("."))
        if industry is not None:
            return industry
    return None
