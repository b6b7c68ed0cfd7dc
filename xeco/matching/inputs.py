"""Turning the inputs the API accepts into weighted text fields.

A *document* is a list of ``(text, weight)`` fields; its term counts are the weighted sum of
the fields' counts. A profile is one or more documents, a query exactly one.

Accepted profiles: a ``str``; a ``list[str]`` (the first entry is the summary, the rest are
publications); or a dict ``{"title", "keywords", "summary", "publications"}`` where each
publication is a ``str`` or a dict ``{"title", "abstract"}``.
Accepted queries: a ``str`` or a dict ``{"title", "keywords", "description"}`` (``summary``
and ``abstract`` are read as the description, so a profile dict also works as a query).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from xeco.matching.methods import Config
from xeco.matching.text import fingerprint as text_fingerprint

Field = tuple[str, float]
Document = list[Field]

_LEAD = re.compile(r"(?<=[.!?。！？])\s*")


def _keywords(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return " ; ".join(str(v) for v in value)


def _plain(text: str, cfg: Config) -> Document:
    if cfg.lead_weight == 1.0:
        return [(text, 1.0)]
    head, *rest = _LEAD.split(text, maxsplit=1)
    return [(head, cfg.lead_weight), (rest[0] if rest else "", 1.0)]


def _titled(title: Any, keywords: Any, body: Any, cfg: Config) -> Document:
    return [
        (str(title or ""), cfg.title_weight),
        (_keywords(keywords), cfg.keyword_weight),
        (str(body or ""), 1.0),
    ]


def _publication(pub: Any, cfg: Config) -> Document:
    if isinstance(pub, Mapping):
        body = pub.get("abstract") or pub.get("summary") or pub.get("description")
        return _titled(pub.get("title"), pub.get("keywords"), body, cfg)
    return _plain(str(pub), cfg)


def profile_documents(profile: Any, cfg: Config) -> list[Document]:
    """The documents of one profile (at least one, possibly empty)."""
    if isinstance(profile, str):
        return [_plain(profile, cfg)]
    if isinstance(profile, Mapping):
        summary = profile.get("summary") or profile.get("description")
        head = _titled(profile.get("title"), profile.get("keywords"), summary, cfg)
        pubs = profile.get("publications") or []
        return [head, *(_publication(p, cfg) for p in pubs)]
    if isinstance(profile, Sequence):
        docs = [_publication(p, cfg) for p in profile]
        return docs or [[("", 1.0)]]
    raise TypeError(f"profile must be str, list or dict, not {type(profile).__name__}")


def query_document(query: Any, cfg: Config) -> Document:
    """The single document of a query (a challenge)."""
    if isinstance(query, str):
        return _plain(query, cfg)
    if isinstance(query, Mapping):
        body = query.get("description") or query.get("summary") or query.get("abstract")
        return _titled(query.get("title"), query.get("keywords"), body, cfg)
    raise TypeError(f"query must be str or dict, not {type(query).__name__}")


def flat_text(item: Any) -> str:
    """All text of a query or profile in a fixed order, for fingerprints and drift."""
    if isinstance(item, str):
        return item
    if isinstance(item, Mapping):
        parts = [str(item.get(k) or "") for k in ("title", "summary", "description", "abstract")]
        keywords = item.get("keywords")
        # Keyword order carries no meaning, so reordering them is not a change of text.
        parts.append(_keywords(keywords if isinstance(keywords, str) else sorted(keywords or [])))
        parts.extend(flat_text(p) for p in item.get("publications") or [])
        return "\n".join(parts)
    if isinstance(item, Sequence):
        return "\n".join(flat_text(p) for p in item)
    raise TypeError(f"cannot read text from {type(item).__name__}")


def fingerprint(item: Any) -> str:
    """Fingerprint of a str, dict or list input (see :func:`xeco.matching.text.fingerprint`)."""
    return text_fingerprint(flat_text(item))
