"""Believable demo clients: ~250 companies, entrepreneurs, people and state bodies with valid requisites.

Generation is deterministic (a seeded random generator) and every client is looked up by
its INN (or name) before it is created, so loading again adds nothing.
"""

from __future__ import annotations

import random

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.tables import ProcessInstance
from models.clients.cards import Client, ClientKind, Contact
from models.clients.requisites import make_inn10, make_inn12, make_kpp, make_ogrn, make_ogrnip
from models.identity.users import User, require_user
from models.platform.registry import DemoContext

_NAME_ROOTS = (
    "Северград", "Волга", "Уралтранс", "Сибирь", "Балтика", "Меридиан", "Гранит", "Вектор",
    "Альфа", "Техно", "Промснаб", "Агро", "Энерго", "Логист", "Стройинвест", "Медтех",
    "Нева", "Кама", "Алтай", "Байкал", "Онега", "Ладога", "Полюс", "Орион", "Сокол",
)
_NAME_TAILS = (
    "Групп", "Холдинг", "Сервис", "Трейд", "Пром", "Строй", "Логистик", "Ресурс", "Инвест",
    "Маркет", "Транс", "Системс", "Девелопмент", "Агро", "Фарм",
)
# As many streets as name roots: the generator draws one of each the same way, so the data stays put.
_STREETS = ("Ленина", "Садовая", "Заводская", "Промышленная", "Мира", "Советская", "Гагарина",
            "Октябрьская", "Набережная", "Складская", "Транспортная", "Пушкина", "Лесная", "Строителей",
            "Кирова", "Молодёжная", "Центральная", "Полевая", "Речная", "Школьная", "Луговая", "Энергетиков",
            "Новая", "Вокзальная", "Московская")
# The part of a city a company adds to its name («Вектор-Петербург», not «Вектор-Санкт»).
_CITY_TAGS = {"Санкт-Петербург": "Петербург", "Нижний Новгород": "НН"}
_TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                     ("a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",
                      "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"),
                     strict=True))


def latin(text: str) -> str:
    """A Russian name as it is spelt in an e-mail address («ВекторТранс» -> «vektortrans»)."""
    word = "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())
    return "".join(ch for ch in word if ch.isascii() and (ch.isalnum() or ch in "-."))


_FORMS = (("ООО", "Общество с ограниченной ответственностью"), ("АО", "Акционерное общество"),
          ("ПАО", "Публичное акционерное общество"))
_INDUSTRIES = ("Логистика", "Строительство", "Розничная торговля", "Производство", "ИТ",
               "Сельское хозяйство", "Энергетика", "Медицина", "Транспорт", "Финансы")
_TERRITORIES = (("Москва", "77"), ("Санкт-Петербург", "78"), ("Новосибирск", "54"),
                ("Екатеринбург", "66"), ("Казань", "16"), ("Нижний Новгород", "52"),
                ("Краснодар", "23"))
_SEGMENTS = ("Крупный", "Средний", "Малый")
_FIRST = ("Александр", "Дмитрий", "Максим", "Сергей", "Андрей", "Алексей", "Татьяна", "Ольга",
          "Екатерина", "Анна", "Ирина", "Наталья", "Михаил", "Павел", "Юлия")
_LAST_M = ("Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов",
           "Михайлов", "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев")
_POSITIONS = ("Генеральный директор", "Финансовый директор", "Главный бухгалтер",
              "Руководитель службы безопасности", "Менеджер по закупкам", "Юрист",
              "Директор по персоналу")
_STATE_BODIES = ("Управление Федерального казначейства по г. Москве",
                 "Министерство транспорта Московской области",
                 "ГБУ «Жилищник района Хамовники»", "Департамент здравоохранения г. Казани",
                 "Администрация г. Екатеринбурга", "ФГБУ «Центр управления проектами»")


def _person_name(rng: random.Random) -> str:
    first = rng.choice(_FIRST)
    last = rng.choice(_LAST_M)
    female = first in {"Татьяна", "Ольга", "Екатерина", "Анна", "Ирина", "Наталья", "Юлия"}
    if female:
        last += "а"  # Иванов -> Иванова, Васильев -> Васильева
    return f"{last} {first}"


def _phone(rng: random.Random) -> str:
    return "+7" + rng.choice(("495", "499", "812", "383", "343", "843", "903", "916", "926")) + (
        "".join(str(rng.randrange(10)) for _ in range(7))
    )


def _company(rng: random.Random, index: int, owners: list[User]) -> Client:
    territory, region = rng.choice(_TERRITORIES)
    short_form, long_form = _FORMS[(index % 7 == 0 and 1) or ((index % 13 == 0 and 2) or 0)]
    root, tail = rng.choice(_NAME_ROOTS), rng.choice(_NAME_TAILS)
    if tail.lower()[:4] in root.lower() or root.lower()[:4] in tail.lower():
        tail = "Сервис"  # no «АгроАгро» or «ЛогистЛогистик»
    name = f"{root}{tail}"
    if index % 3 == 0:
        rng.choice(_TERRITORIES)  # drawn as before; the name takes the company's own city
        name = f"{name}-{_CITY_TAGS.get(territory, territory)}"
    return Client(
        kind=ClientKind.COMPANY.value,
        full_name=f"{long_form} «{name}»",
        short_name=f"{short_form} «{name}»",
        inn=make_inn10(rng, region),
        kpp=make_kpp(region),
        ogrn=make_ogrn(rng, region, rng.randrange(2002, 2024)),
        legal_address=f"г. {territory}, ул. {rng.choice(_STREETS)}, д. {rng.randrange(1, 120)}",
        phone=_phone(rng),
        email=f"info@{latin(name)}.ru",
        industry=rng.choice(_INDUSTRIES),
        territory=territory,
        segment=rng.choice(_SEGMENTS),
        source=rng.choice(("Сайт", "Холодный звонок", "Рекомендация", "Выставка", "Тендер")),
        owner=owners[index % len(owners)],
        tags=["demo"],
    )


def _contacts(rng: random.Random, client: Client) -> None:
    domain = client.email.split("@")[1] if client.email else "mail.ru"
    for n in range(rng.randrange(1, 4)):
        name = _person_name(rng)
        position = _POSITIONS[n if n else rng.randrange(7)]
        phone = _phone(rng)
        rng.randrange(10**6)  # drawn as before, so the rest of the demo data stays the same
        last, first = name.split()
        client.contacts.append(Contact(full_name=name, position=position, is_decision_maker=n == 0,
                                       phone=phone, email=f"{latin(first)[0]}.{latin(last)}@{domain}"))


def _small_clients(rng: random.Random, owners: list[User]) -> list[Client]:
    result = []
    for i in range(20):
        territory, region = rng.choice(_TERRITORIES)
        name = _person_name(rng)
        result.append(Client(kind=ClientKind.ENTREPRENEUR.value, full_name=f"ИП {name}",
                             short_name=f"ИП {name.split()[0]}", inn=make_inn12(rng, region),
                             ogrn=make_ogrnip(rng, region), phone=_phone(rng), territory=territory,
                             industry=rng.choice(_INDUSTRIES), segment="Малый",
                             owner=owners[i % len(owners)], tags=["demo"], source="Сайт"))
    for i in range(20):
        territory, _ = rng.choice(_TERRITORIES)
        result.append(Client(kind=ClientKind.PERSON.value, full_name=_person_name(rng),
                             phone=_phone(rng), territory=territory, segment="Физлицо",
                             owner=owners[i % len(owners)], tags=["demo"], source="Сайт"))
    for i, name in enumerate(_STATE_BODIES):
        territory, region = _TERRITORIES[i % len(_TERRITORIES)]
        result.append(Client(kind=ClientKind.STATE.value, full_name=name, inn=make_inn10(rng, region),
                             kpp=make_kpp(region), territory=territory, industry="Госсектор",
                             segment="Госзаказчик", owner=owners[i % len(owners)], tags=["demo"],
                             source="Тендер"))
    return result


def _showcase(candidates: list[Client]) -> list[Client]:
    """Cases the client pages should show: a company being liquidated, a likely duplicate."""
    candidates[4].registry_status = "LIQUIDATING"
    candidates[4].head_name = "Ильин Пётр Сергеевич"
    candidates[4].head_position = "Ликвидатор"
    original = candidates[0]
    return [Client(kind=ClientKind.PERSON.value, full_name="Смирнов Андрей (визитка с выставки)",
                   phone=original.phone, owner=original.owner, tags=["demo"], source="Выставка",
                   notes="Похоже на дубль: тот же телефон, что у основной карточки")]


def ensure_demo_clients(session: Session, companies: int = 200) -> int:
    """Create the deterministic demo clients that are not there yet."""
    rng = random.Random(20261124)
    owners = [require_user(session, login) for login in ("manager", "manager2", "manager3", "senior")]
    candidates = [_company(rng, i, owners) for i in range(companies)]
    candidates += _small_clients(rng, owners)
    candidates += _showcase(candidates)
    existing = set(session.execute(select(Client.inn, Client.full_name)).all())
    existing_inn = {inn for inn, _ in existing if inn}
    existing_names = {name for _, name in existing}
    created = 0
    emails: set[str] = set()
    for index, client in enumerate(candidates):
        if client.email in emails:  # two companies of the same name in different cities
            client.email = client.email.replace("@", f"{index}@", 1)
        if client.email:
            emails.add(client.email)
        _contacts(rng, client)  # drawn for every candidate so the sequence never shifts
        known = client.inn in existing_inn if client.inn else client.full_name in existing_names
        if known:
            continue
        session.add(client)
        if client.inn:
            existing_inn.add(client.inn)
        existing_names.add(client.full_name)
        created += 1
    session.flush()
    return created


def seed_clients(context: DemoContext) -> dict[str, int]:
    return {"clients": ensure_demo_clients(context.session)}


def seed_review_processes(context: DemoContext) -> dict[str, int]:
    """Start a few data-quality reviews so the demo inbox is not empty (once)."""
    session = context.session
    engine = context.engine()
    if engine.latest_definition("client_data_review") is None:
        return {"process_instances": 0}
    if session.scalar(select(func.count(ProcessInstance.id))):
        return {"process_instances": 0}
    clients = list(session.scalars(select(Client).order_by(Client.id).limit(3)))
    # Two cards "migrated from the old system" with a typo in the INN: the review catches them.
    owner = clients[0].owner if clients else None
    for name, inn in (("ООО «Старая база»", "7707083894"), ("АО «Опечатка»", "7736050004")):
        legacy = Client(kind="company", full_name=name, short_name=name, inn=inn, kpp="773601001",
                        ogrn="1027700132195", owner=owner, source="Перенос из старой CRM", tags=["demo"])
        session.add(legacy)
        clients.append(legacy)
    session.flush()
    for client in clients:
        engine.start("client_data_review", business_type="client", business_id=client.id,
                     title=f"Проверка реквизитов: {client.display_name}")
    return {"process_instances": len(clients)}
