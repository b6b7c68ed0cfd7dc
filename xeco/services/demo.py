"""Demo data: a bilingual set of organisations, people, challenges, capabilities, programmes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from xeco.extensions import db
from xeco.models import (
    Capability,
    CapabilityKind,
    Challenge,
    Organisation,
    OrgKind,
    Programme,
    Publication,
    Role,
    User,
    Visibility,
)
from xeco.services.users import create_user

DATA = Path(__file__).resolve().parent.parent / "demo" / "demo_data.json"


def password(path: Path = DATA) -> str:
    return json.loads(Path(path).read_text(encoding="utf-8"))["password"]


def already_seeded() -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Challenge)) > 0


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def load(path: Path = DATA) -> dict[str, int]:
    """Insert the demo set; the caller commits. Returns counts per kind."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    orgs: dict[str, Organisation] = {}
    for o in data["organisations"]:
        org = Organisation(
            name=o["name"],
            kind=OrgKind(o["kind"]),
            region=o.get("region"),
            website=o.get("website"),
            description=o.get("description"),
        )
        db.session.add(org)
        orgs[o["key"]] = org
    db.session.flush()
    users: dict[str, User] = {}
    for u in data["users"]:
        users[u["email"]] = create_user(
            u["email"],
            data["password"],
            Role(u["role"]),
            name=u["name"],
            organisation=orgs.get(u.get("org")),
            locale=u.get("locale", "en"),
        )
    for c in data["challenges"]:
        author = users[c["author"]]
        db.session.add(
            Challenge(
                organisation_id=author.organisation_id,
                author_id=author.id,
                title=c["title"],
                description=c["description"],
                keywords=c.get("keywords", []),
                sector=c.get("sector"),
                region=c.get("region"),
                visibility=Visibility(c.get("visibility", "public")),
                trl=c.get("trl"),
                budget_min=c.get("budget_min"),
                budget_max=c.get("budget_max"),
                deadline=_date(c.get("deadline")),
            )
        )
    for c in data["capabilities"]:
        owner = users[c["owner"]]
        cap = Capability(
            organisation_id=owner.organisation_id,
            owner_id=owner.id,
            kind=CapabilityKind.INSTITUTE
            if owner.role == Role.INSTITUTE
            else CapabilityKind.RESEARCHER,
            title=c["title"],
            summary=c["summary"],
            keywords=c.get("keywords", []),
            sectors=c.get("sectors", []),
            equipment=c.get("equipment"),
            capacity=c.get("capacity", 3),
            region=owner.organisation.region,
        )
        for i, p in enumerate(c.get("publications", [])):
            cap.publications.append(
                Publication(
                    position=i,
                    **{
                        k: p.get(k)
                        for k in ("title", "abstract", "year", "doi", "venue", "authors")
                    },
                )
            )
        db.session.add(cap)
    for p in data["programmes"]:
        owner = users[p["owner"]]
        db.session.add(
            Programme(
                organisation_id=owner.organisation_id,
                owner_id=owner.id,
                title=p["title"],
                summary=p["summary"],
                keywords=p.get("keywords", []),
                sectors=p.get("sectors", []),
                regions=p.get("regions", []),
                amount_min=p.get("amount_min"),
                amount_max=p.get("amount_max"),
                deadline=_date(p.get("deadline")),
                url=p.get("url"),
            )
        )
    db.session.flush()
    return {k: len(v) for k, v in data.items() if isinstance(v, list)}


# The demo accounts the landing page offers, when the demo data set is loaded.
LANDING_ACCOUNTS = [
    ("company@example.com", Role.COMPANY),
    ("researcher@example.com", Role.RESEARCHER),
    ("institute@example.com", Role.INSTITUTE),
    ("agency@example.com", Role.AGENCY),
    ("officer@example.com", Role.OFFICER),
    ("officer.zh@example.cn", Role.OFFICER),
    ("admin@example.com", Role.ADMIN),
]


def accounts_present() -> list[tuple[str, Role]]:
    emails = [e for e, _ in LANDING_ACCOUNTS]
    present = set(db.session.scalars(sa.select(User.email).where(User.email.in_(emails))))
    return [(e, r) for e, r in LANDING_ACCOUNTS if e in present]
