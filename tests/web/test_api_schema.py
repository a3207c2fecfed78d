"""``web.api.schema.ApiSchema`` dumps exactly what marshmallow's own ``Schema`` dumps.

The fast dump only changes how a value is reached; each comparison below runs marshmallow's own
``Schema._serialize`` on the very same schema instance and object, over every kind of field the
API uses (and the ones it may), objects, dicts, rows with ``__getitem__``, missing attributes,
defaults, nested schemas and lists; and on the real deals and clients the API answers. Every schema
of ``web.api`` is an ``ApiSchema``, so none is left on the slow path by mistake.
"""

from __future__ import annotations

import enum
import importlib
import inspect
import pkgutil
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

from marshmallow import Schema, fields, post_dump, pre_dump
from sqlalchemy import select

import web.api
from models.clients.cards import Client
from models.sales.funnels import ensure_default_funnels
from models.sales.queries import DealFilter, list_api_deals
from models.sales.service import open_deal_for
from web.api.clients import ClientOut
from web.api.deals import DealSchema
from web.api.schema import ApiSchema


class Colour(enum.Enum):
    RED = "red"


class Inner(ApiSchema):
    x = fields.Int()
    label = fields.Str(data_key="name")


class Everything(ApiSchema):
    n = fields.Int()
    n_text = fields.Int(as_string=True, attribute="n", dump_only=True)
    text = fields.Str(allow_none=True)
    money = fields.Decimal(as_string=True, allow_none=True)
    ratio = fields.Float()
    yes = fields.Bool()
    day = fields.Date(allow_none=True)
    moment = fields.DateTime()
    russian_moment = fields.DateTime(format="%d.%m.%Y %H:%M", attribute="moment", dump_only=True)
    tags = fields.List(fields.Str())
    items = fields.List(fields.Nested(Inner))
    extra = fields.Dict()
    inner = fields.Nested(Inner, allow_none=True)
    inners = fields.Nested(Inner, many=True)
    xs = fields.Pluck(Inner, "x", many=True, attribute="inners", dump_only=True)
    doubled = fields.Function(lambda o: o["n"] * 2 if isinstance(o, dict) else o.n * 2)
    method = fields.Method("_method")
    constant = fields.Constant("всегда")
    renamed = fields.Str(data_key="Имя", attribute="text", dump_only=True)
    deep = fields.Int(attribute="inner.x", dump_only=True)
    absent = fields.Str()
    defaulted = fields.Str(dump_default="по умолчанию")
    computed_default = fields.Int(dump_default=lambda: 7)
    colour = fields.Enum(Colour)
    raw = fields.Raw()
    email = fields.Email()
    secret = fields.Str(load_only=True)

    def _method(self, obj):
        return f"метод {obj['n'] if isinstance(obj, dict) else obj.n}"


def _values(n: int) -> dict:
    return dict(n=n, text=None if n % 2 else f"текст {n}", money=Decimal("1500000.50") if n % 3 else None,
                ratio=0.5 + n, yes=bool(n % 2), day=date(2026, 12, n % 28 + 1) if n % 4 else None,
                moment=datetime(2026, 12, 4, 10, n % 60, tzinfo=UTC), tags=["а", "б"][: n % 3],
                items=[{"x": n, "label": "в списке"}], extra={"k": n},
                inner=SimpleNamespace(x=n, label="вложенный") if n % 2 else None,
                inners=[SimpleNamespace(x=i, label=f"№{i}") for i in range(n % 3)],
                colour=Colour.RED, raw={"как": "есть"}, email="a@b.ru", secret="тайна")


class Keyed:
    """An object answering ``obj[key]`` for some keys only (as a row does): marshmallow asks that first."""

    def __init__(self, values: dict) -> None:
        self.__dict__.update(values)
        self._keys = {"n": values["n"] + 1000, "text": "из []"}

    def __getitem__(self, key: str):
        return self._keys[key]


def _same(schema: Schema, obj, *, many: bool = False) -> None:
    expected = Schema._serialize(schema, obj, many=many)
    got = schema._serialize(obj, many=many)
    assert got == expected
    pairs = zip(got, expected, strict=True) if many else [(got, expected)]
    assert all(list(g) == list(e) for g, e in pairs)  # the same keys in the same order


def test_every_kind_of_field_dumps_as_marshmallow_dumps() -> None:
    schema = Everything()
    objects = [SimpleNamespace(**_values(n)) for n in range(1, 7)]
    for obj in objects:
        _same(schema, obj)
    _same(schema, objects, many=True)
    _same(Everything(many=True), objects, many=True)
    _same(Everything(only=("n", "renamed", "inner")), objects[0])
    _same(Everything(exclude=("method",)), objects[1])


def test_dicts_keyed_objects_and_missing_values_dump_as_marshmallow_dumps() -> None:
    schema = Everything()
    full = _values(3)
    _same(schema, full)
    _same(schema, {k: v for k, v in full.items() if k not in ("text", "money", "inner", "colour")}
          | {"inner": None})
    _same(schema, Keyed(_values(4)))
    assert schema.dump(Keyed(_values(4)))["n"] == 1004  # obj["n"] wins, as in marshmallow
    assert "absent" not in schema.dump(SimpleNamespace(**full))
    assert schema.dump(full)["defaulted"] == "по умолчанию"
    assert schema.dump(full)["computed_default"] == 7


def test_a_nested_copy_of_a_schema_already_used_dumps_its_own_fields() -> None:
    shared = Inner()
    assert shared.dump({"x": 1, "label": "все поля"}) == {"x": 1, "name": "все поля"}

    class Outer(ApiSchema):
        only_x = fields.Nested(shared, only=("x",))

    outer = Outer()
    _same(outer, {"only_x": {"x": 2, "label": "лишнее"}})
    assert outer.dump({"only_x": {"x": 2, "label": "лишнее"}}) == {"only_x": {"x": 2}}
    assert shared.dump({"x": 3, "label": "по-прежнему"}) == {"x": 3, "name": "по-прежнему"}


def test_hooks_still_run_around_the_fast_dump() -> None:
    class Hooked(ApiSchema):
        n = fields.Int()

        @pre_dump
        def _before(self, obj, **kwargs):
            return {"n": obj["n"] + 1}

        @post_dump
        def _after(self, data, **kwargs):
            return {**data, "after": True}

    assert Hooked().dump({"n": 1}) == {"n": 2, "after": True}
    assert Hooked(many=True).dump([{"n": 1}, {"n": 5}]) == [{"n": 2, "after": True}, {"n": 6, "after": True}]


def test_a_field_with_its_own_serialize_and_a_schema_with_its_own_accessor_keep_their_path() -> None:
    class Upper(fields.Str):
        def serialize(self, attr, obj, accessor=None, **kwargs):
            return str(super().serialize(attr, obj, accessor, **kwargs)).upper()

    class Own(ApiSchema):
        name = Upper()

    class Prefixed(ApiSchema):
        name = fields.Str()

        def get_attribute(self, obj, attr, default):
            return "доступ: " + obj[attr]

    assert Own().dump({"name": "тест"}) == {"name": "ТЕСТ"}
    assert Prefixed().dump({"name": "тест"}) == {"name": "доступ: тест"}


def test_every_schema_of_the_api_is_an_api_schema() -> None:
    plain = []
    for module_info in pkgutil.iter_modules(web.api.__path__):
        module = importlib.import_module(f"web.api.{module_info.name}")
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, Schema) and value.__module__ == module.__name__ \
                    and not issubclass(value, ApiSchema):
                plain.append(f"{module.__name__}.{name}")
    assert plain == []


def test_the_apis_deals_and_clients_dump_as_marshmallow_dumps(app, session, demo_users, clock) -> None:
    ensure_default_funnels(session)
    manager = demo_users["manager"]
    for n, inn in enumerate(("7707083893", "7736050003", "7710140679")):
        client = Client(kind="company", full_name=f"ООО «Схема {n}»", short_name=f"Схема {n}", inn=inn,
                        owner=manager, phone="+74951234567", tags=["ключевой"])
        session.add(client)
        session.flush()
        open_deal_for(session, manager, {"client_id": client.id, "title": f"Сделка {n}", "funnel": "company",
                                         "premium": "1500000.50", "expected_close_date": "2027-01-20"},
                      clock.now())
    session.flush()
    deals = list_api_deals(session, manager, clock.now(), DealFilter(), 20)
    assert len(deals) == 3
    with app.app_context():  # the deal's flags and stage times are read at the app clock's «now»
        _same(DealSchema(many=True), deals, many=True)
        for client in session.scalars(select(Client).where(Client.owner_id == manager.id)):
            _same(ClientOut(), client)
