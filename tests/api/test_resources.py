"""Challenges, capabilities and programmes through the API: owners, officers, everyone else."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import drain_tasks
from tests.factories import CapabilityFactory, ChallengeFactory, MatchFactory, ProgrammeFactory
from xeco.models import AuditEntry, Challenge, MatchStatus, TaskOutbox, Visibility

CHALLENGE = {
    "title": "Machine vision defect detection for stamped parts",
    "description": "Our line stamps 2 million steel parts a month; we need cameras and "
    "models that catch scratches and cracks.",
    "keywords": ["machine vision", "defect detection"],
    "sector": "advanced-manufacturing",
    "region": "Suzhou",
    "trl": 5,
    "budget_min": 100000,
    "budget_max": 500000,
}
CHALLENGE_ZH = {
    "title": "锂电池固态电解质界面稳定性研究",
    "description": "我们需要提高硫化物固态电解质与高镍正极之间的界面稳定性，抑制锂枝晶生长。",
    "keywords": ["固态电解质", "锂电池"],
    "sector": "new-energy",
}


def test_company_posts_a_challenge_and_matching_is_queued(app, client, db, users, auth):
    drain_tasks(app)
    resp = client.post("/api/v1/challenges", json=CHALLENGE, headers=auth(users["company"]))
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "open"
    assert body["visibility"] == "public"
    assert body["organisation"]["id"] == users["company"].organisation_id
    # The worker is nudged after the commit; the challenge's mark is the record: it waits
    # for matching until a batch has matched it (xeco.services.matching.match_due).
    assert drain_tasks(app) == [("xeco.match_challenge", {"challenge_id": body["id"], "due": True})]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TaskOutbox)) == 0
    assert db.session.get(Challenge, body["id"]).match_due_at is not None
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.object_type == "challenges")
    ).one()
    assert (entry.action, entry.actor_id, entry.object_id) == (
        "create",
        users["company"].id,
        body["id"],
    )
    assert entry.after["title"] == CHALLENGE["title"]


def test_queued_job_reaches_the_broker(app, client, users, auth):
    celery = app.extensions["celery"]
    with celery.connection_for_read() as conn:
        queue = conn.SimpleQueue("celery")
        queue.clear()
        resp = client.post("/api/v1/challenges", json=CHALLENGE, headers=auth(users["company"]))
        message = queue.get(timeout=2)
        message.ack()
        queue.close()
    assert message.headers["task"] == "xeco.match_challenge"
    assert message.payload[1] == {"challenge_id": resp.get_json()["id"], "due": True}


def test_chinese_challenge_round_trips_and_is_searchable(client, users, auth):
    headers = auth(users["company"])
    created = client.post("/api/v1/challenges", json=CHALLENGE_ZH, headers=headers)
    assert created.status_code == 201
    client.post("/api/v1/challenges", json=CHALLENGE, headers=headers)
    found = client.get("/api/v1/challenges?q=固态电解质", headers=headers).get_json()
    assert [c["title"] for c in found["items"]] == [CHALLENGE_ZH["title"]]
    by_keyword = client.get("/api/v1/challenges?q=锂电池", headers=headers).get_json()
    assert by_keyword["total"] == 1


def test_edit_by_owner_audits_before_and_after_and_requeues(client, db, users, auth):
    headers = auth(users["company"])
    cid = client.post("/api/v1/challenges", json=CHALLENGE, headers=headers).get_json()["id"]
    resp = client.patch(
        f"/api/v1/challenges/{cid}", json={"title": "A sharper title"}, headers=headers
    )
    assert resp.status_code == 200
    assert resp.get_json()["title"] == "A sharper title"
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "update")).one()
    assert entry.before["title"] == CHALLENGE["title"]
    assert entry.after["title"] == "A sharper title"
    # Both the post and the edit asked for matching: the challenge waits for it again.
    assert db.session.get(Challenge, cid).match_due_at is not None


def test_other_company_cannot_edit_or_close(client, users, auth):
    cid = client.post(
        "/api/v1/challenges", json=CHALLENGE, headers=auth(users["company"])
    ).get_json()["id"]
    other = auth(users["company_other"])
    assert client.get(f"/api/v1/challenges/{cid}", headers=other).status_code == 200
    resp = client.patch(f"/api/v1/challenges/{cid}", json={"title": "mine now"}, headers=other)
    assert resp.status_code == 403
    assert client.delete(f"/api/v1/challenges/{cid}", headers=other).status_code == 403


def test_officer_may_edit_anything(client, users, auth):
    cid = client.post(
        "/api/v1/challenges", json=CHALLENGE, headers=auth(users["company"])
    ).get_json()["id"]
    resp = client.patch(
        f"/api/v1/challenges/{cid}", json={"sector": "ai-digital"}, headers=auth(users["officer"])
    )
    assert resp.status_code == 200


def test_delete_closes_and_keeps_history(client, db, users, auth):
    headers = auth(users["company"])
    cid = client.post("/api/v1/challenges", json=CHALLENGE, headers=headers).get_json()["id"]
    assert client.delete(f"/api/v1/challenges/{cid}", headers=headers).status_code == 204
    body = client.get(f"/api/v1/challenges/{cid}", headers=headers).get_json()
    assert body["status"] == "closed"
    assert body["closed_at"] is not None
    resp = client.patch(f"/api/v1/challenges/{cid}", json={"title": "reopen?"}, headers=headers)
    assert resp.status_code == 409
    assert client.delete(f"/api/v1/challenges/{cid}", headers=headers).status_code == 204
    assert db.session.get(Challenge, cid) is not None


def test_restricted_challenge_is_hidden_until_a_match_is_approved(client, db, users, auth):
    ch = ChallengeFactory(author=users["company"], visibility=Visibility.RESTRICTED)
    cap = CapabilityFactory(owner=users["researcher"])
    db.session.commit()
    url = f"/api/v1/challenges/{ch.id}"
    researcher = auth(users["researcher"])
    missing = client.get("/api/v1/challenges/999999", headers=researcher)
    hidden = client.get(url, headers=researcher)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json()["message"] == f"No challenge with id {ch.id}."
    assert client.get(url, headers=auth(users["company_other"])).status_code == 404
    assert client.get(url, headers=auth(users["company"])).status_code == 200
    assert client.get(url, headers=auth(users["officer"])).status_code == 200
    listed = client.get("/api/v1/challenges", headers=researcher).get_json()
    assert ch.id not in [c["id"] for c in listed["items"]]

    match = MatchFactory(challenge=ch, capability=cap)
    db.session.commit()
    assert client.get(url, headers=researcher).status_code == 404
    match.status = MatchStatus.APPROVED
    db.session.commit()
    assert client.get(url, headers=researcher).status_code == 200
    listed = client.get("/api/v1/challenges", headers=researcher).get_json()
    assert ch.id in [c["id"] for c in listed["items"]]


def test_capability_with_publications(client, users, auth):
    headers = auth(users["researcher"])
    resp = client.post(
        "/api/v1/capabilities",
        headers=headers,
        json={
            "title": "Sulfide solid-state electrolytes",
            "summary": "Interface engineering: sulfide electrolytes and nickel-rich cathodes.",
            "keywords": ["solid-state electrolyte"],
            "sectors": ["new-energy"],
            "capacity": 2,
            "publications": [
                {"title": "Stable interfaces", "year": 2024, "doi": "10.5555/xeco.1"},
                {"title": "固态电解质界面", "abstract": "硫化物电解质。"},
            ],
        },
    )
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["kind"] == "researcher"
    assert [p["title"] for p in body["publications"]] == ["Stable interfaces", "固态电解质界面"]
    cid = body["id"]
    resp = client.patch(
        f"/api/v1/capabilities/{cid}",
        headers=headers,
        json={"publications": [{"title": "Only this one"}]},
    )
    assert [p["title"] for p in resp.get_json()["publications"]] == ["Only this one"]
    by_sector = client.get("/api/v1/capabilities?sector=new-energy", headers=headers).get_json()
    assert [c["id"] for c in by_sector["items"]] == [cid]
    assert (
        client.get("/api/v1/capabilities?sector=biomedicine", headers=headers).get_json()["total"]
        == 0
    )


def test_bad_doi_is_refused(client, users, auth):
    resp = client.post(
        "/api/v1/capabilities",
        headers=auth(users["researcher"]),
        json={
            "title": "Anything",
            "summary": "Long enough summary.",
            "publications": [{"title": "x", "doi": "not-a-doi"}],
        },
    )
    assert resp.status_code == 422
    assert resp.get_json()["errors"]["json"]["publications"]["0"]["doi"] == [
        "Not a DOI (10.xxxx/...)."
    ]


def test_programme_filters_by_region_and_sector(client, db, users, auth):
    ProgrammeFactory(owner=users["agency"], regions=["苏州"], sectors=["new-energy"])
    ProgrammeFactory(owner=users["agency"], regions=["Shanghai"], sectors=["biomedicine"])
    db.session.commit()
    headers = auth(users["company"])
    assert client.get("/api/v1/programmes?region=苏州", headers=headers).get_json()["total"] == 1
    assert (
        client.get("/api/v1/programmes?sector=biomedicine", headers=headers).get_json()["total"]
        == 1
    )
    assert client.get("/api/v1/programmes", headers=headers).get_json()["total"] == 2


def test_paging_sorting_and_mine(client, db, users, auth):
    for i in range(5):
        ChallengeFactory(author=users["company"], title=f"Challenge {i}")
    ChallengeFactory(author=users["company_other"], title="Someone else's")
    db.session.commit()
    headers = auth(users["company"])
    page = client.get(
        "/api/v1/challenges?per_page=2&page=2&sort=title&mine=true", headers=headers
    ).get_json()
    assert [c["title"] for c in page["items"]] == ["Challenge 2", "Challenge 3"]
    assert (page["total"], page["pages"], page["page"], page["per_page"]) == (5, 3, 2, 2)
    beyond = client.get("/api/v1/challenges?page=50", headers=headers).get_json()
    assert beyond["items"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("sort=password", "sort"),
        ("status=gone", "status"),
    ],
)
def test_out_of_range_list_arguments_are_422(client, users, auth, query, field):
    resp = client.get(f"/api/v1/challenges?{query}", headers=auth(users["company"]))
    assert resp.status_code == 422
    assert field in resp.get_json()["errors"]["query"]


def test_budget_order_is_checked_on_create_and_on_patch(client, db, users, auth):
    headers = auth(users["company"])
    bad = dict(CHALLENGE, budget_min=10, budget_max=5)
    resp = client.post("/api/v1/challenges", json=bad, headers=headers)
    assert resp.status_code == 422
    assert resp.get_json()["errors"]["json"] == {"budget_max": ["Must not be below budget_min."]}
    cid = client.post("/api/v1/challenges", json=CHALLENGE, headers=headers).get_json()["id"]
    resp = client.patch(f"/api/v1/challenges/{cid}", json={"budget_min": 10**9}, headers=headers)
    assert resp.status_code == 422
    assert db.session.get(Challenge, cid).budget_min == CHALLENGE["budget_min"]


@pytest.mark.parametrize("field", ["title", "region", "keywords"])
@pytest.mark.parametrize("breaker", ["\r\n", "\n", "\r", "\t", "\u2028"])
def test_one_line_fields_refuse_line_breaks(client, users, auth, field, breaker):
    bad = "x" + breaker + "Bcc: victim@evil.test"
    body = dict(CHALLENGE, **{field: [bad] if field == "keywords" else bad})
    resp = client.post("/api/v1/challenges", json=body, headers=auth(users["company"]))
    assert resp.status_code == 422
    errors = resp.get_json()["errors"]["json"][field]
    assert "Must not contain line breaks or control characters." in str(errors)


def test_multi_line_fields_keep_their_line_breaks(client, users, auth):
    body = dict(CHALLENGE, description="First paragraph.\r\n\r\nSecond\tparagraph.")
    resp = client.post("/api/v1/challenges", json=body, headers=auth(users["company"]))
    assert resp.status_code == 201
    assert resp.get_json()["description"] == body["description"]
