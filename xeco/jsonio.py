"""JSON through orjson where it is hot: API answers out, JSON columns in.

A page of twenty proposals is some 35 KB of JSON with a few hundred explanation terms; with
the standard library, encoding answers and decoding the JSON columns they are built from took
about 7 % of the web process's CPU under load. orjson does both in C, several times faster.

The answers keep Flask's rules: keys sorted, dates as HTTP dates, the same ``default`` for
what JSON has no type for. They differ in two ways, both valid JSON: text outside ASCII is
sent as UTF-8 rather than ``\\u`` escapes, and a NaN or infinite float becomes null (the
standard library wrote ``NaN``, which JSON parsers reject).
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider

_COMPACT = (",", ":")
_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


class JSONProvider(DefaultJSONProvider):
    """Flask's provider with orjson for compact output (every JSON answer outside debug)."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs == {"separators": _COMPACT}:
            try:
                return orjson.dumps(obj, default=self.default, option=_OPTIONS).decode()
            except TypeError:
                pass  # e.g. an integer beyond 64 bits: the standard library still writes it
        return super().dumps(obj, **kwargs)


def loads_column(text: str | bytes) -> Any:
    """A JSON column's value. Rows written before by ``json.dumps`` may hold ``NaN``, which
    orjson refuses: those take the standard library."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
