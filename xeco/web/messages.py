"""The services' and schemas' messages as a page shows them: in the reader's language, with
labels instead of field names and stored codes.

Services and the API speak English (the API's error bodies are part of its contract); a page
passes every such message through :func:`translate`. A fixed message is looked up in the
catalogue as it is; one with a field name or a code in it is matched below and written anew.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from xeco.labels import MEMBERSHIP_LABELS, STATUS_LABELS, label


def _field(label_of: Callable[[str], str | None], name: str) -> str:
    return label_of(name) or _("the other field")


PATTERNS: list[tuple[re.Pattern, Callable]] = [
    (
        re.compile(r"^Must not be below (\w+)\.$"),
        lambda m, f: _("Must not be lower than “%(field)s”.", field=_field(f, m[1])),
    ),
    (
        re.compile(r"^Longer than maximum length (\d+)\.$"),
        lambda m, f: _("At most %(n)s characters.", n=m[1]),
    ),
    (
        re.compile(r"^Shorter than minimum length (\d+)\.$"),
        lambda m, f: _("At least %(n)s characters.", n=m[1]),
    ),
    (
        re.compile(r"^Length must be between (\d+) and (\d+)\.$"),
        lambda m, f: _("Between %(min)s and %(max)s characters.", min=m[1], max=m[2]),
    ),
    (re.compile(r"^Must be one of: .*\.$"), lambda m, f: _("Choose one of the options.")),
    (
        re.compile(r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$"),
        lambda m, f: _("Must be between %(min)s and %(max)s.", min=m[1], max=m[2]),
    ),
    (re.compile(r"^No .+ with id \d+.*\.$"), lambda m, f: _("Not found.")),
    (
        re.compile(r"^This needs one of the roles: .*\.$"),
        lambda m, f: _("Your role may not do this."),
    ),
    (
        re.compile(r"^A (\w+) match cannot become (\w+)\.$"),
        lambda m, f: _(
            "A match that is “%(now)s” cannot become “%(then)s”.",
            now=label(STATUS_LABELS, m[1]),
            then=label(STATUS_LABELS, m[2]),
        ),
    ),
    (
        re.compile(r"^A (\w+) match takes no responses\.$"),
        lambda m, f: _(
            "A match that is “%(now)s” takes no answers.", now=label(STATUS_LABELS, m[1])
        ),
    ),
    (
        re.compile(r"^This membership is (\w+) already\.$"),
        lambda m, f: _(
            "This membership is decided already (%(status)s).",
            status=label(MEMBERSHIP_LABELS, m[1]),
        ),
    ),
    (
        re.compile(r"^Only the owner or an officer may (change|close) this \w+\.$"),
        lambda m, f: _("Only the owner or an officer may do this."),
    ),
    (
        re.compile(r"^This \w+ is closed; it can no longer be changed\.$"),
        lambda m, f: _("It is closed; it can no longer be changed."),
    ),
    (
        re.compile(r"^Your role \(\w+\) may not create an? \w+\.$"),
        lambda m, f: _("Your role may not do this."),
    ),
]


# Fixed messages of the services and schemas that reach pages, marked here so that the
# catalogue keeps them (they are English where they are raised, for the API's contract).
SERVICE_MESSAGES = (
    _l("A reason is required to reject."),
    _l("Missing data for required field."),
    _l("Not a valid integer."),
    _l("Not a valid date."),
    _l("Not a valid email address."),
    _l("Field may not be null."),
    _l("Wrong password."),
    _l("This e-mail address cannot be used."),
    _l("Sign in first."),
    _l("You have responded already."),
    _l("Only officers decide on matches."),
    _l("Only the two parties respond to an introduction."),
    _l("Only the two parties and the officers take part in the conversation."),
    _l("The conversation opens once the parties are introduced."),
    _l("Write a message."),
    _l("Must not be in the future."),
    _l("Not a valid phone number."),
    _l("Only researchers and institutes offer help."),
    _l("This challenge is no longer open."),
    _l("Register an active capability first: the offer is made with one."),
    _l("This challenge and your capability are paired already: no second offer."),
    _l("This challenge and your capability are paired already."),
    _l("Not one of your active capabilities."),
    _l("Only the challenge's company and the officers read this advice."),
)


def translate(message: str, label_of: Callable[[str], str | None] | None = None) -> str:
    text = str(message)
    label_of = label_of or (lambda _name: None)
    for pattern, render in PATTERNS:
        found = pattern.match(text)
        if found:
            return render(found, label_of)
    return _(text)


def form_labels(form) -> Callable[[str], str | None]:
    """Field name → the label the page shows for it."""

    def label_of(name: str) -> str | None:
        field = getattr(form, name, None) if form is not None else None
        return str(field.label.text) if field is not None and hasattr(field, "label") else None

    return label_of
