"""The base of every schema: marshmallow, with a dump planned once per schema instance.

marshmallow dumps each field through five or six calls (``serialize``, ``get_value``, the
schema's accessor, ``utils.get_value``, ``_get_value_for_key``, ``_serialize``): a page of
twenty challenges is some 500 fields, about a millisecond of CPU on every list the API
builds, a sixth of a list request under load. The plan looks at each field once, the
first time the schema dumps, and keeps for it a getter and a converter that do what
marshmallow's own ``_serialize`` of that field class does. A field it does not know (a
custom ``_serialize``, ``Method``, ``Function``, a field that reads its value its own way)
is dumped by marshmallow itself, and so is a whole schema with dump hooks or its own
accessor. The output is marshmallow's, key for key (``tests/api/test_schema_dump.py``
compares the two over every schema).
"""

from __future__ import annotations

import typing

from marshmallow import Schema as _Schema
from marshmallow import fields, missing
from marshmallow.decorators import POST_DUMP, PRE_DUMP
from marshmallow.utils import _get_value_for_key

# Off, every schema dumps through marshmallow alone: the tests' reference.
PLANNED = True

# (output key, attribute to read, converter, dump default, field); a converter of None means
# the field is dumped by marshmallow (``field.serialize``), whose output is taken as it is.
Step = tuple[str, str, typing.Callable | None, typing.Any, fields.Field]


def _none_or(convert):
    return lambda value: None if value is None else convert(value)


def _text(value):
    if value is None:
        return None
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _is(field: fields.Field, cls: type[fields.Field], method: str = "_serialize") -> bool:
    """``field`` serialises exactly as ``cls`` does (it may override only loading)."""
    return getattr(type(field), method) is getattr(cls, method)


def _converter(field: fields.Field):
    """A function of the value doing what ``field._serialize`` does, or None if unknown."""
    if _is(field, fields.Raw):
        return lambda value: value
    if _is(field, fields.String):
        return _text
    if _is(field, fields.Number):
        if field.as_string or not _is(field, fields.Number, "_format_num"):
            return None
        return _none_or(field.num_type)
    if _is(field, fields.DateTime) and isinstance(field, fields.DateTime):
        fmt = field.format or field.DEFAULT_FORMAT
        func = field.SERIALIZATION_FUNCS.get(fmt)
        return _none_or(func) if func is not None else _none_or(lambda v: v.strftime(fmt))
    if _is(field, fields.Boolean):
        truthy, falsy = field.truthy, field.falsy

        def boolean(value):
            if value is None or value is True or value is False:
                return value
            try:
                if value in truthy:
                    return True
                if value in falsy:
                    return False
            except TypeError:
                pass
            return bool(value)

        return boolean
    if _is(field, fields.Enum):
        inner = _converter(field.field)
        if inner is None:
            return None
        if field.by_value:
            return lambda value: None if value is None else inner(value.value)
        return lambda value: None if value is None else inner(value.name)
    if _is(field, fields.List):
        inner = _converter(field.inner)
        if inner is None:
            return None
        return lambda value: None if value is None else [inner(each) for each in value]
    if _is(field, fields.Nested) and not (field.only or field.exclude):
        nested = field.schema
        if not isinstance(nested, Schema) or nested._plan() is None:
            return None
        one = nested._dump_one
        if nested.many or field.many:
            return lambda value: None if value is None else [one(each) for each in value]
        return lambda value: None if value is None else one(value)
    return None


class Schema(_Schema):
    """marshmallow's Schema with the planned dump described above."""

    _planned: list[Step] | bool | None = False

    def _plan(self) -> list[Step] | None:
        """The steps of one object's dump, or None when marshmallow must do it all."""
        if self._planned is not False:
            return self._planned
        plan: list[Step] | None = []
        if (
            self._hooks[PRE_DUMP]
            or self._hooks[POST_DUMP]
            or type(self).get_attribute is not _Schema.get_attribute
            or self.dict_class is not dict
        ):
            plan = None
        else:
            for name, field in self.dump_fields.items():
                attr = name if field.attribute is None else field.attribute
                plain = (
                    field._CHECK_ATTRIBUTE
                    and _is(field, fields.Field, "serialize")
                    and _is(field, fields.Field, "get_value")
                    and "." not in attr
                )
                convert = _converter(field) if plain else None
                key = field.data_key if field.data_key is not None else name
                plan.append((key, attr if convert else name, convert, field.dump_default, field))
        self._planned = plan
        return plan

    def _dump_one(self, obj) -> dict:
        out = {}
        keyed = hasattr(obj, "__getitem__")
        for key, attr, convert, default, field in self._planned:
            if convert is None:
                value = field.serialize(attr, obj, accessor=self.get_attribute)
                if value is not missing:
                    out[key] = value
                continue
            value = _get_value_for_key(obj, attr, missing) if keyed else getattr(obj, attr, missing)
            if value is missing:
                value = default() if callable(default) else default
                if value is missing:
                    continue
            out[key] = convert(value)
        return out

    def dump(self, obj: typing.Any, *, many: bool | None = None):
        if not PLANNED or self._plan() is None:
            return super().dump(obj, many=many)
        many = self.many if many is None else bool(many)
        if many and obj is not None:
            return [self._dump_one(each) for each in obj]
        return self._dump_one(obj)
