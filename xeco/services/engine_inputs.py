"""Rows as the matching engine reads them: the one place that turns models into its inputs.

A profile is what an index is fitted on; a query is what is scored against an index. The
engine weighs fields by their names, so a programme matched as a query (against
capabilities) names its summary ``description``, as a challenge does.
"""

from __future__ import annotations

from xeco.models import Capability, Challenge, Programme


def challenge_query(ch: Challenge) -> dict:
    return {"title": ch.title, "keywords": list(ch.keywords or []), "description": ch.description}


def programme_query(prog: Programme) -> dict:
    return {"title": prog.title, "keywords": list(prog.keywords or []), "description": prog.summary}


def capability_profile(cap: Capability) -> dict:
    summary = cap.summary + (f"\n{cap.equipment}" if cap.equipment else "")
    return {
        "title": cap.title,
        "keywords": list(cap.keywords or []),
        "summary": summary,
        "publications": [f"{p.title}. {p.abstract or ''}".strip() for p in cap.publications],
    }


def programme_profile(prog: Programme) -> dict:
    return {"title": prog.title, "keywords": list(prog.keywords or []), "summary": prog.summary}
