"""The detected language of every challenge, capability and programme, kept on each save.

A session hook rather than a call in each service: rows written by the API, the pages, the
demo seed or a shell all get it, and no new write path can forget it.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from xeco.matching.text import detect_language
from xeco.models import Capability, Challenge, Programme

# The fields a person reads as the item's text, per model (publications are left out: a
# Chinese profile may well list English papers and is still written in Chinese).
TEXT_FIELDS = {
    Challenge: ("title", "description", "keywords"),
    Capability: ("title", "summary", "keywords", "equipment"),
    Programme: ("title", "summary", "keywords"),
}


def text_of(obj) -> str:
    parts = []
    for name in TEXT_FIELDS[type(obj)]:
        value = getattr(obj, name, None) or ""
        parts.append(" ".join(map(str, value)) if isinstance(value, list) else str(value))
    return "\n".join(parts)


def _set_languages(session: Session, _context, _instances) -> None:
    for obj in (*session.new, *session.dirty):
        if type(obj) in TEXT_FIELDS:
            language = detect_language(text_of(obj))
            if obj.language != language:
                obj.language = language


def register() -> None:
    if not sa.event.contains(Session, "before_flush", _set_languages):
        sa.event.listen(Session, "before_flush", _set_languages)
