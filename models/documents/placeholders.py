"""The placeholders a template may use: name, meaning and an example, shown searchable on the templates page.

A template's tags name these dotted paths (``{{ client.inn }}``); rows of the products table
are ``{%tr for row in products %}`` … ``{{ row.name }}``. Anything else is refused on upload
with its name, so a typo never reaches a client as an empty gap.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Placeholder:
    name: str
    meaning: str
    example: str
    group: str


_CATALOG: tuple[tuple[str, str, str, str], ...] = (
    ("document.number", "Номер документа", "Д-2026-0007", "Документ"),
    ("document.date", "Дата документа", "30 ноября 2026 г.", "Документ"),
    ("document.date_short", "Дата документа (ДД.ММ.ГГГГ)", "30.11.2026", "Документ"),
    ("document.kind", "Вид документа", "Договор", "Документ"),
    ("today", "Сегодня", "30 ноября 2026 г.", "Документ"),
    ("client.name", "Полное наименование клиента", "ООО «Ромашка»", "Клиент"),
    ("client.short_name", "Краткое наименование", "ООО «Ромашка»", "Клиент"),
    ("client.inn", "ИНН", "7707083893", "Клиент"),
    ("client.kpp", "КПП", "773601001", "Клиент"),
    ("client.ogrn", "ОГРН", "1027700132195", "Клиент"),
    ("client.address", "Юридический адрес", "г. Москва, ул. Вавилова, д. 19", "Клиент"),
    ("client.email", "E-mail клиента", "office@romashka.ru", "Клиент"),
    ("bank.name", "Банк клиента", "ПАО Сбербанк", "Банковские реквизиты"),
    ("bank.bik", "БИК", "044525225", "Банковские реквизиты"),
    ("bank.account", "Расчётный счёт", "40702810938000000001", "Банковские реквизиты"),
    ("bank.corr_account", "Корреспондентский счёт", "30101810400000000225", "Банковские реквизиты"),
    ("signatory.name", "Подписант (именительный падеж)", "Иванов Иван Иванович", "Подписант"),
    ("signatory.position", "Должность подписанта", "Генеральный директор", "Подписант"),
    ("signatory.name_genitive", "Подписант в родительном падеже", "Иванова Ивана Ивановича", "Подписант"),
    ("signatory.position_genitive", "Должность в родительном падеже", "Генерального директора", "Подписант"),
    (
        "signatory.in_person_of",
        "«в лице …» целиком",
        "Генерального директора Иванова Ивана Ивановича",
        "Подписант",
    ),
    ("signatory.initials", "Фамилия и инициалы", "Иванов И. И.", "Подписант"),
    ("signatory.acting", "«действующего» / «действующей» по полу подписанта", "действующего", "Подписант"),
    ("signatory.basis", "Действует на основании", "Устава", "Подписант"),
    ("deal.title", "Название сделки", "ООО «Ромашка»: КАСКО 2027", "Сделка"),
    ("deal.insured_sum", "Страховая сумма", "40 000 000,00 ₽", "Сделка"),
    ("deal.insured_sum_words", "Страховая сумма прописью", "сорок миллионов рублей 00 копеек", "Сделка"),
    ("deal.products", "Продукты через запятую", "КАСКО, ДМС", "Сделка"),
    ("deal.start", "Начало действия договора", "1 января 2027 г.", "Сделка"),
    ("deal.end", "Окончание действия договора", "31 декабря 2027 г.", "Сделка"),
    ("products", "Строки таблицы продуктов: {%tr for row in products %}", "—", "Продукты"),
    ("row.number", "№ строки", "1", "Продукты"),
    ("row.name", "Продукт", "КАСКО", "Продукты"),
    ("row.insured_sum", "Страховая сумма строки", "40 000 000,00 ₽", "Продукты"),
    ("row.premium", "Премия строки", "1 000 000,00 ₽", "Продукты"),
    ("premium.amount", "Страховая премия", "1 234 567,89 ₽", "Премия"),
    (
        "premium.words",
        "Премия прописью",
        "один миллион двести тридцать четыре тысячи пятьсот шестьдесят семь рублей 89 копеек",
        "Премия",
    ),
    ("premium.base", "Премия до скидки", "1 300 000,00 ₽", "Премия"),
    ("discount.percent", "Скидка, %", "5", "Скидка"),
    ("discount.amount", "Скидка, ₽", "65 000,00 ₽", "Скидка"),
    ("vat.text", "Строка НДС", "Без НДС (пп. 7 п. 3 ст. 149 НК РФ)", "НДС"),
    ("vat.amount", "Сумма НДС", "0,00 ₽", "НДС"),
    ("total.amount", "Итого к оплате", "1 234 567,89 ₽", "Итого"),
    ("total.words", "Итого прописью", "один миллион … 89 копеек", "Итого"),
    ("manager.name", "Менеджер", "Смирнов Алексей Петрович", "Менеджер"),
    ("manager.email", "E-mail менеджера", "manager@broker.ru", "Менеджер"),
    ("manager.phone", "Телефон менеджера", "+7 (495) 500-55-50", "Менеджер"),
)

PLACEHOLDERS: tuple[Placeholder, ...] = tuple(Placeholder(*row) for row in _CATALOG)
KNOWN: frozenset[str] = frozenset(p.name for p in PLACEHOLDERS)
# A loop over one of these binds its variable to the item fields named «row.…».
LOOPS = {"products": "row"}
GROUP_ROOTS = frozenset(name.split(".")[0] for name in KNOWN)


def search(query: str | None) -> list[Placeholder]:
    """Placeholders whose name, meaning or group contains ``query`` (all when empty)."""
    text = (query or "").strip().lower()
    if not text:
        return list(PLACEHOLDERS)
    return [
        p
        for p in PLACEHOLDERS
        if text in p.name.lower() or text in p.meaning.lower() or text in p.group.lower()
    ]
