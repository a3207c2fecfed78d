"""The base of the API's schemas: marshmallow's own dump, without its per-field dispatch.

Why: an API list answers tens of objects of twenty-odd fields each, and marshmallow's
``Schema._serialize`` reaches every value through four calls (``Field.serialize``,
``Field.get_value``, the schema's accessor, ``utils._get_value_for_key`` and its ``hasattr``)
before the field's own conversion: a fifth of the CPU of ``GET /api/v1/deals`` (issue 15,
measured with cProfile on the web bench's data). ``ApiSchema`` walks the same ``dump_fields``
in the same order and calls each field's own ``_serialize`` with the same value, attribute
name and object, so every conversion, ``data_key``, ``attribute``, dotted attribute,
``dump_default``, ``Function``/``Method`` field and nested schema behaves exactly as
marshmallow's; only the look-up of the value is done once per object instead of per field.
A field class that overrides ``serialize`` or ``get_value``, and a schema that overrides
``get_attribute``, go through marshmallow's own path. ``tests/api/test_api_schema.py``
compares both dumps field kind by field kind.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from marshmallow import Schema, fields
from marshmallow.utils import _get_value_for_key, get_value, missing


class _Step(NamedTuple):
    key: str  # where the value goes in the output (``data_key`` or the field's name)
    name: str  # the field's name, passed to its ``_serialize`` as marshmallow passes it
    source: str  # the attribute read (``attribute`` or the name)
    field: fields.Field
    reads: bool  # the field reads the object's attribute (not a Function, Method or Constant)
    own_path: bool  # a field class with its own serialize/get_value: marshmallow's path


def _plain(field: fields.Field) -> bool:
    kind = type(field)
    return kind.serialize is fields.Field.serialize and kind.get_value is fields.Field.get_value


def _steps(schema: Schema) -> tuple[_Step, ...]:
    steps = []
    for name, field in schema.dump_fields.items():
        source = field.attribute if field.attribute is not None else name
        key = field.data_key if field.data_key is not None else name
        steps.append(_Step(key, name, source, field, field._CHECK_ATTRIBUTE, not _plain(field)))
    return tuple(steps)


class ApiSchema(Schema):
    """A marshmallow ``Schema`` whose dump is the same, reached in fewer calls (see the module)."""

    def _plan(self) -> tuple[_Step, ...] | None:
        """The dump's steps (None: a schema with its own ``get_attribute`` keeps marshmallow's path).

        Kept per ``dump_fields`` object, not just per instance: ``Nested`` given a schema instance
        copies it (its ``__dict__``, a kept plan included) and then sets the copy's own fields."""
        kept = self.__dict__.get("_crm_plan")
        if kept is None or kept[0] is not self.dump_fields:
            own_accessor = type(self).get_attribute is not Schema.get_attribute
            kept = (self.dump_fields, None if own_accessor else _steps(self))
            self.__dict__["_crm_plan"] = kept
        return kept[1]

    def _serialize(self, obj: Any, *, many: bool = False) -> Any:
        steps = self._plan()
        if steps is None:
            return super()._serialize(obj, many=many)
        if many and obj is not None:
            return [self._one(item, steps) for item in obj]
        return self._one(obj, steps)

    def _one(self, obj: Any, steps: tuple[_Step, ...]) -> dict[str, Any]:
        result = self.dict_class()
        keyed = hasattr(obj, "__getitem__")  # marshmallow tries obj[key] first on such objects
        for step in steps:
            field = step.field
            if step.own_path:
                value = field.serialize(step.name, obj, accessor=self.get_attribute)
                if value is not missing:
                    result[step.key] = value
                continue
            if step.reads:
                source = step.source
                if "." in source:
                    value = get_value(obj, source, missing)
                elif keyed:
                    value = _get_value_for_key(obj, source, missing)
                else:
                    value = getattr(obj, source, missing)
                if value is missing:
                    default = field.dump_default
                    value = default() if callable(default) else default
                    if value is missing:
                        continue
            else:
                value = None
            value = field._serialize(value, step.name, obj)
            if value is not missing:
                result[step.key] = value
        return result
