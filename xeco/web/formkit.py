"""Glue between WTForms (rendering) and the marshmallow schemas (the rules).

The schemas that validate the API validate the pages too: limits shown in the forms are
read from them, and their error messages are put next to the fields they concern.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from marshmallow import Schema, ValidationError, validate

from xeco.web.messages import form_labels, translate

# Commas (ASCII and Chinese), enumeration commas, semicolons and new lines all separate.
_LIST_SPLIT = re.compile(r"[,，、;；\n]+")


def length_limits(schema: type[Schema], name: str) -> tuple[int | None, int | None]:
    field = schema._declared_fields[name]
    checks = field.validators
    if getattr(field, "inner", None) is not None:
        checks = field.inner.validators
    for check in checks:
        if isinstance(check, validate.Length):
            return check.min, check.max
    return None, None


def split_list(raw: str | None) -> list[str]:
    return [part.strip() for part in _LIST_SPLIT.split(raw or "") if part.strip()]


def join_list(items) -> str:
    return ", ".join(items or [])


def submitted(form: FlaskForm) -> bool | None:
    """None unless the form was posted with a good CSRF token; else whether its own checks
    passed. Callers go on to the schema's and the service's checks either way, so a person
    sees every error at once instead of one round at a time."""
    if not form.is_submitted():
        return None
    valid = form.validate()
    return None if "csrf_token" in form.errors else valid


def load(form: FlaskForm, schema: Schema, data: dict) -> dict | None:
    """Validate ``data`` with the schema; on failure put the messages on the form.

    Run it even when the form's own checks failed, so every error shows at once; a field the
    form flagged already keeps only its own message (the two would say the same thing).
    """
    try:
        return schema.load(data)
    except ValidationError as err:
        put_errors(form, err.messages, skip_flagged=True)
        return None


def put_errors(
    form: FlaskForm,
    messages: dict | list,
    fallback: str | None = None,
    skip_flagged: bool = False,
) -> None:
    if isinstance(messages, list):
        messages = {"_schema": messages}
    for name, value in messages.items():
        field = getattr(form, str(name), None) if name != "_schema" else None
        field = field if field is not None else getattr(form, fallback or "", None)
        flat = [translate(message, form_labels(form)) for message in flatten(value)]
        if skip_flagged and field is not None and field.errors:
            continue
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), *flat]
        else:
            form.form_errors.extend(flat)


def flatten(value, prefix: str = ""):
    """Messages as plain strings; list positions become "item 3: ..." for the reader."""
    if isinstance(value, dict):
        for key, inner in value.items():
            label = _("item %(n)d: ", n=int(key) + 1) if str(key).isdigit() else f"{key}: "
            yield from flatten(inner, prefix + label)
    elif isinstance(value, list | tuple):
        for inner in value:
            yield from flatten(inner, prefix)
    else:
        yield f"{prefix}{value}"


try:  # WTForms 3.3 wants choice objects; older versions only know tuples
    from wtforms import SelectChoice as _Choice
except ImportError:  # pragma: no cover
    _Choice = None


def choices(pairs) -> list:
    """(value, label) pairs in the shape the installed WTForms expects."""
    if _Choice is None:
        return list(pairs)
    return [_Choice(value, label) for value, label in pairs]
