"""Rows as the matching engine reads them: the one place that turns models into its inputs.

A profile is what an index is fitted on; a query is what is scored against an index. The
engine weighs fields by their names, so a programme matched as a query (against
capabilities) names its summary ``description``, as a challenge does.
"""

from __future__ import annotations

import sqlalchemy as sa

from xeco.extensions import db
from xeco.models import Capability, Challenge, Programme, Publication
from xeco.services.sql import one_of


def challenge_query(ch: Challenge) -> dict:
    return {"title": ch.title, "keywords": list(ch.keywords or []), "description": ch.description}


def programme_query(prog: Programme) -> dict:
    return {"title": prog.title, "keywords": list(prog.keywords or []), "description": prog.summary}


def capability_profile(cap: Capability) -> dict:
    pubs = [(p.title, p.abstract) for p in cap.publications]
    return _capability(cap.title, cap.keywords, cap.summary, cap.equipment, pubs)


def _capability(title, keywords, summary, equipment, publications) -> dict:
    return {
        "title": title,
        "keywords": list(keywords or []),
        "summary": summary + (f"\n{equipment}" if equipment else ""),
        "publications": [f"{t}. {a or ''}".strip() for t, a in publications],
    }


def capability_profiles(ids) -> dict[int, dict]:
    """:func:`capability_profile` of many capabilities, read in two queries (no ORM rows)."""
    if not ids:
        return {}
    pubs: dict[int, list] = {}
    for cap_id, title, abstract in db.session.execute(
        sa.select(Publication.capability_id, Publication.title, Publication.abstract)
        .where(one_of(Publication.capability_id, ids))
        .order_by(Publication.capability_id, Publication.position, Publication.id)
    ):
        pubs.setdefault(cap_id, []).append((title, abstract))
    rows = db.session.execute(
        sa.select(
            Capability.id,
            Capability.title,
            Capability.keywords,
            Capability.summary,
            Capability.equipment,
        ).where(one_of(Capability.id, ids))
    )
    return {r[0]: _capability(*r[1:], pubs.get(r[0], [])) for r in rows}


def programme_profile(prog: Programme) -> dict:
    return {"title": prog.title, "keywords": list(prog.keywords or []), "summary": prog.summary}
