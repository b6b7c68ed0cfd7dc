"""Every endpoint × every role (and anonymous) against the expected status.

The table is the single source: ``test_every_endpoint_is_in_the_table`` fails when a route
exists that the table does not list, so a new endpoint cannot slip in unchecked.
"""

from __future__ import annotations

import itertools
import re

import pytest

from tests.factories import (
    CapabilityFactory,
    ChallengeFactory,
    MatchFactory,
    ProgrammeFactory,
    UserFactory,
)
from xeco.models import MatchingRun, Membership, Notification, Role, RunState

WHO = (
    "anonymous",
    "company",
    "company_other",
    "researcher",
    "institute",
    "agency",
    "officer",
    "admin",
)


def expect(default: int, **per_role: int) -> dict[str, int]:
    table = dict.fromkeys(WHO, default)
    table.update(per_role)
    return table


SIGNED_IN = dict(anonymous=401)
CHALLENGE_BODY = {"title": "Vision inspection", "description": "Find defects on parts quickly."}
CAPABILITY_BODY = {"title": "Vision lab", "summary": "Deep learning for inspection images."}
PROGRAMME_BODY = {"title": "Smart factory fund", "summary": "Grants for automation projects."}
CHANGE = {"title": "A changed title"}


def owner_only(ok: int, owner: str | tuple[str, ...]) -> dict[str, int]:
    owners = (owner,) if isinstance(owner, str) else owner
    return expect(403, anonymous=401, officer=ok, **dict.fromkeys(owners, ok))


def org_managers(ok: int) -> dict[str, int]:
    return expect(403, anonymous=401, researcher=ok, officer=ok, admin=ok)


# (method, rule) -> (body or None, {who: status})
MATRIX = {
    ("GET", "/api/v1/health"): (None, expect(200)),
    ("POST", "/api/v1/auth/register"): ("register", expect(201)),
    ("POST", "/api/v1/auth/token"): ("token", expect(200)),
    ("DELETE", "/api/v1/auth/token"): (None, expect(204, **SIGNED_IN)),
    ("GET", "/api/v1/me"): (None, expect(200, **SIGNED_IN)),
    ("GET", "/api/v1/users"): (None, expect(403, anonymous=401, admin=200)),
    ("POST", "/api/v1/users"): ("new_user", expect(403, anonymous=401, admin=201)),
    ("PATCH", "/api/v1/users/<id:user_id>"): (
        {"name": "Renamed"},
        expect(403, anonymous=401, admin=200),
    ),
    ("GET", "/api/v1/challenges"): (None, expect(200, **SIGNED_IN)),
    ("POST", "/api/v1/challenges"): (
        CHALLENGE_BODY,
        expect(403, anonymous=401, company=201, company_other=201),
    ),
    ("GET", "/api/v1/challenges/<id:item_id>"): (None, expect(200, **SIGNED_IN)),
    ("PATCH", "/api/v1/challenges/<id:item_id>"): (CHANGE, owner_only(200, "company")),
    ("DELETE", "/api/v1/challenges/<id:item_id>"): (None, owner_only(204, "company")),
    # The row is an open challenge: its owner and officers get past the permission check to
    # the 409 that only a closed one can be reopened.
    ("POST", "/api/v1/challenges/<id:item_id>/reopen"): (None, owner_only(409, "company")),
    ("GET", "/api/v1/capabilities"): (None, expect(200, **SIGNED_IN)),
    ("POST", "/api/v1/capabilities"): (
        CAPABILITY_BODY,
        expect(403, anonymous=401, researcher=201, institute=201),
    ),
    ("GET", "/api/v1/capabilities/<id:item_id>"): (None, expect(200, **SIGNED_IN)),
    ("PATCH", "/api/v1/capabilities/<id:item_id>"): (CHANGE, owner_only(200, "researcher")),
    ("DELETE", "/api/v1/capabilities/<id:item_id>"): (None, owner_only(204, "researcher")),
    ("GET", "/api/v1/programmes"): (None, expect(200, **SIGNED_IN)),
    ("POST", "/api/v1/programmes"): (PROGRAMME_BODY, expect(403, anonymous=401, agency=201)),
    ("GET", "/api/v1/programmes/<id:item_id>"): (None, expect(200, **SIGNED_IN)),
    ("PATCH", "/api/v1/programmes/<id:item_id>"): (CHANGE, owner_only(200, "agency")),
    ("DELETE", "/api/v1/programmes/<id:item_id>"): (None, owner_only(204, "agency")),
    ("GET", "/api/v1/challenges/<id:challenge_id>/matches"): (None, expect(200, **SIGNED_IN)),
    ("GET", "/api/v1/matches"): (None, expect(403, anonymous=401, officer=200, admin=200)),
    # A proposed match: only staff see it; to everyone else it does not exist.
    ("GET", "/api/v1/matches/<id:match_id>"): (
        None,
        expect(404, anonymous=401, officer=200, admin=200),
    ),
    ("POST", "/api/v1/matching/runs"): (None, expect(403, anonymous=401, officer=202, admin=202)),
    ("GET", "/api/v1/matching/runs"): (None, expect(403, anonymous=401, officer=200, admin=200)),
    ("GET", "/api/v1/matching/runs/<id:run_id>"): (
        None,
        expect(403, anonymous=401, officer=200, admin=200),
    ),
    # Staff decide; to a party a proposed match does not exist yet.
    ("POST", "/api/v1/matches/<id:match_id>/decision"): (
        {"decision": "approve"},
        expect(403, anonymous=401, officer=200, admin=200),
    ),
    ("POST", "/api/v1/matches/decisions"): (
        "bulk",
        expect(403, anonymous=401, officer=200, admin=200),
    ),
    ("POST", "/api/v1/matches/<id:match_id>/response"): (
        {"response": "accept"},
        expect(403, anonymous=401, company=404, company_other=404, researcher=404, institute=404),
    ),
    ("GET", "/api/v1/matches/<id:match_id>/notes"): (
        None,
        expect(403, anonymous=401, officer=200, admin=200),
    ),
    ("POST", "/api/v1/matches/<id:match_id>/notes"): (
        {"body": "Call them on Monday."},
        expect(403, anonymous=401, officer=201, admin=201),
    ),
    ("PUT", "/api/v1/challenges/<id:challenge_id>/reviewer"): (
        "reviewer",
        expect(403, anonymous=401, officer=200, admin=200),
    ),
    ("GET", "/api/v1/notifications"): (None, expect(200, **SIGNED_IN)),
    ("POST", "/api/v1/notifications/<id:notification_id>/read"): (
        None,
        expect(404, anonymous=401, company=200),
    ),
    ("POST", "/api/v1/notifications/read-all"): (None, expect(200, **SIGNED_IN)),
    ("GET", "/api/v1/reports/summary"): (None, expect(403, anonymous=401, officer=200, admin=200)),
    ("GET", "/api/v1/reports/matches.csv"): (
        None,
        expect(403, anonymous=401, officer=200, admin=200),
    ),
    ("GET", "/api/v1/audit"): (None, expect(403, anonymous=401, officer=200, admin=200)),
    # Accounts: links carry their own proof (a bad token is 400 for anyone), settings are
    # one's own, and an organisation is managed by its admins (here the researcher's),
    # officers and site admins.
    ("POST", "/api/v1/auth/verify"): ({"token": "not-a-token"}, expect(400)),
    ("POST", "/api/v1/auth/verify/resend"): (None, expect(202, **SIGNED_IN)),
    ("POST", "/api/v1/auth/password-reset"): ({"email": "nobody@example.com"}, expect(202)),
    ("POST", "/api/v1/auth/password-reset/confirm"): (
        {"token": "not-a-token", "password": "a-long-new-password"},
        expect(400),
    ),
    ("PATCH", "/api/v1/me"): ({"name": "Renamed"}, expect(200, **SIGNED_IN)),
    ("GET", "/api/v1/organisations/<id:org_id>"): (None, expect(200, **SIGNED_IN)),
    ("PATCH", "/api/v1/organisations/<id:org_id>"): (
        {"verified": True},
        expect(403, anonymous=401, officer=200, admin=200),
    ),
    ("GET", "/api/v1/organisations/<id:org_id>/members"): (None, org_managers(200)),
    ("POST", "/api/v1/organisations/<id:org_id>/members/<id:user_id>/approve"): (
        None,
        org_managers(200),
    ),
    ("POST", "/api/v1/organisations/<id:org_id>/members/<id:user_id>/reject"): (
        None,
        org_managers(200),
    ),
    # The join request is not an active member yet: no administrator rights for it.
    ("PUT", "/api/v1/organisations/<id:org_id>/members/<id:user_id>/admin"): (
        {"org_admin": True},
        org_managers(409),
    ),
    ("POST", "/api/v1/organisations/<id:org_id>/invitations"): (
        {"email": "colleague@example.com"},
        org_managers(202),
    ),
    # After the introduction: a proposed match has no conversation yet (staff: 409), and
    # to a party it does not exist; agencies never take part.
    **{
        (method, f"/api/v1/matches/<id:match_id>/{what}"): (
            body,
            expect(404, anonymous=401, agency=403, officer=409, admin=409),
        )
        for method, what, body in (
            ("GET", "messages", None),
            ("POST", "messages", {"body": "Hello"}),
            ("GET", "outcomes", None),
            ("POST", "outcomes", {"outcome": "talking"}),
        )
    },
    # Providers offer with a capability (these have none yet: 409).
    ("POST", "/api/v1/challenges/<id:challenge_id>/offers"): (
        {},
        expect(403, anonymous=401, researcher=409, institute=409),
    ),
    ("GET", "/api/v1/challenges/<id:challenge_id>/advice"): (
        None,
        expect(403, anonymous=401, company=200, officer=200, admin=200),
    ),
    ("GET", "/api/v1/reports/funnel.csv"): (
        None,
        expect(403, anonymous=401, officer=200, admin=200),
    ),
}
NOT_IN_MATRIX = {
    "/api/v1/openapi.json",
    "/api/v1/docs",
    "/api/v1/swagger-ui/",
    "/api/v1/docs/<path:filename>",
    "/api/v1/swagger-ui/<path:filename>",
}


def api_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.rule in NOT_IN_MATRIX:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((method, rule.rule))
    return routes


def test_every_endpoint_is_in_the_table(app):
    assert api_routes(app) == set(MATRIX)


ITEMS = {
    "challenges": lambda users: ChallengeFactory(author=users["company"]),
    "capabilities": lambda users: CapabilityFactory(owner=users["researcher"]),
    "programmes": lambda users: ProgrammeFactory(owner=users["agency"]),
}
ROWS = {
    "item_id": lambda users, rule: ITEMS[rule.split("/")[3]](users),
    "org_id": lambda users, rule: users["researcher"].organisation,
    # A join request to the researcher's university.
    "user_id": lambda users, rule: UserFactory(
        role=Role.RESEARCHER,
        organisation=users["researcher"].organisation,
        membership=Membership.PENDING,
    ),
    "challenge_id": lambda users, rule: ChallengeFactory(author=users["company"]),
    "match_id": lambda users, rule: MatchFactory(
        challenge__author=users["company"], capability__owner=users["researcher"]
    ),
    "run_id": lambda users, rule: MatchingRun(state=RunState.SUCCEEDED),
    "notification_id": lambda users, rule: Notification(
        user_id=users["company"].id, kind="t", title="t"
    ),
}


def _body(kind, who: str, users):
    if kind == "register":
        return {
            "email": f"reg-{who}@example.com",
            "password": "long-password",
            "name": "R",
            "role": "company",
            "organisation": {"name": f"Registered by {who}"},
        }
    if kind == "token":
        return {"email": "company@test.example.com", "password": "password123"}
    if kind == "bulk":
        return {"ids": [1], "decision": "reject", "reason": "Not a fit."}
    if kind == "reviewer":
        return {"reviewer_id": users["officer"].id}
    if kind == "new_user":
        return {
            "email": f"made-by-{who}@example.com",
            "password": "long-password",
            "name": "Made",
            "role": "officer",
        }
    return kind


@pytest.mark.parametrize(
    ("endpoint", "who"),
    list(itertools.product(MATRIX, WHO)),
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else v,
)
def test_authorization_matrix(client, db, users, auth, endpoint, who):
    method, rule = endpoint
    body_kind, table = MATRIX[endpoint]
    users["researcher"].org_admin = True
    url = rule
    # Only the rows this URL names: most cases need none, and rows are most of a case's cost.
    for name in re.findall(r"<id:(\w+)>", rule):
        obj = ROWS[name](users, rule)
        db.session.add(obj)
        db.session.flush()
        url = url.replace(f"<id:{name}>", str(obj.id))
    db.session.commit()
    headers = {} if who == "anonymous" else auth(users[who])
    body = _body(body_kind, who, users)
    resp = client.open(url, method=method, json=body, headers=headers)
    assert resp.status_code == table[who], resp.get_data(as_text=True)
    if resp.status_code >= 400:
        assert resp.get_json()["code"] == resp.status_code
