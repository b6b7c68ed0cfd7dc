"""The officers' workflow over HTTP: decide, introduce, respond, notes, reports, audit."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from tests.factories import CapabilityFactory, ChallengeFactory, MatchFactory, UserFactory
from xeco.models import (
    AuditEntry,
    Challenge,
    ChallengeStatus,
    EmailOutbox,
    Match,
    MatchStatus,
    Notification,
    Role,
    Visibility,
)


@pytest.fixture
def match(db, users):
    m = MatchFactory(
        challenge=ChallengeFactory(author=users["company"], title="焊缝缺陷检测"),
        capability=CapabilityFactory(owner=users["researcher"]),
        score=0.42,
    )
    db.session.commit()
    return m


def decide(client, auth, who, match_id, **body):
    return client.post(f"/api/v1/matches/{match_id}/decision", json=body, headers=auth(who))


def respond(client, auth, who, match_id, response, note=None):
    body = {"response": response} | ({"note": note} if note else {})
    return client.post(f"/api/v1/matches/{match_id}/response", json=body, headers=auth(who))


def test_review_queue_is_best_first_with_both_sides_and_explanation(client, db, users, auth):
    low = MatchFactory(score=0.2)
    high = MatchFactory(score=0.9)
    MatchFactory(score=0.95, status=MatchStatus.REJECTED)
    db.session.commit()
    page = client.get("/api/v1/matches?status=proposed", headers=auth(users["officer"])).get_json()
    assert [m["id"] for m in page["items"]] == [high.id, low.id]
    first = page["items"][0]
    assert first["explanation"] == [
        {"term": "defect", "weight": 0.3, "counterpart": "defect", "cross_language": False},
        {"term": "vision", "weight": 0.2, "counterpart": "vision", "cross_language": False},
    ]
    assert first["challenge"]["organisation"]["name"]
    assert first["capability"]["organisation"]["kind"] == "university"
    filtered = client.get(
        "/api/v1/matches?status=proposed&min_score=0.5", headers=auth(users["officer"])
    ).get_json()
    assert [m["id"] for m in filtered["items"]] == [high.id]


def test_approval_introduces_both_parties_and_they_accept(client, db, users, auth, match):
    resp = decide(
        client,
        auth,
        users["officer"],
        match.id,
        decision="approve",
        note="Please meet at the science park.",
    )
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["status"] == "introduced" and body["introduced_at"]
    for who in ("company", "researcher"):
        notes = client.get("/api/v1/notifications?unread=true", headers=auth(users[who]))
        items = notes.get_json()["items"]
        assert [n["kind"] for n in items] == ["introduced"]
        assert "science park" in items[0]["body"]
    mails = db.session.scalars(sa.select(EmailOutbox.to)).all()
    assert sorted(mails) == sorted([users["company"].email, users["researcher"].email])
    # Now the parties see the match and the restricted details.
    assert (
        client.get(f"/api/v1/matches/{match.id}", headers=auth(users["researcher"])).status_code
        == 200
    )
    assert (
        client.get(f"/api/v1/matches/{match.id}", headers=auth(users["company_other"])).status_code
        == 404
    )

    first = respond(client, auth, users["company"], match.id, "accept", "Looking forward")
    assert first.status_code == 200 and first.get_json()["status"] == "introduced"
    again = respond(client, auth, users["company"], match.id, "decline")
    assert again.status_code == 409
    assert again.get_json()["message"] == "You have responded already."
    assert first.get_json()["company_responded_at"] >= body["introduced_at"]
    last = respond(client, auth, users["researcher"], match.id, "accept")
    assert last.get_json()["status"] == "accepted"
    # "Accepted" dates from the second yes, not from the introduction.
    accepted = db.session.get(Match, match.id)
    assert accepted.status_at == accepted.provider_responded_at >= accepted.company_responded_at
    assert db.session.get(Challenge, match.challenge_id).status == ChallengeStatus.MATCHED
    late = respond(client, auth, users["researcher"], match.id, "decline")
    assert late.status_code == 409
    actions = db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.object_type == "matches", AuditEntry.object_id == match.id)
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["approve", "respond_accept", "respond_accept"]


def test_decline_ends_the_introduction(client, users, auth, match):
    decide(client, auth, users["officer"], match.id, decision="approve")
    resp = respond(client, auth, users["researcher"], match.id, "decline", "No capacity now")
    assert resp.get_json()["status"] == "declined"
    assert respond(client, auth, users["company"], match.id, "accept").status_code == 409


def test_illegal_steps_are_refused(client, users, auth, match):
    # A party cannot respond before the introduction: the match is not theirs to see yet.
    assert respond(client, auth, users["company"], match.id, "accept").status_code == 404
    no_reason = decide(client, auth, users["officer"], match.id, decision="reject")
    assert no_reason.status_code == 422
    assert no_reason.get_json()["errors"] == {
        "json": {"reason": ["A reason is required to reject."]}
    }
    ok = decide(client, auth, users["officer"], match.id, decision="reject", reason="Too far")
    assert ok.get_json()["status"] == "rejected"
    twice = decide(client, auth, users["officer"], match.id, decision="approve")
    assert twice.status_code == 409
    assert twice.get_json()["message"] == "A rejected match cannot become approved."
    assert decide(client, auth, users["company"], match.id, decision="approve").status_code == 403
    assert decide(client, auth, users["officer"], 999999, decision="approve").status_code == 404


def test_other_organisation_cannot_respond(client, db, users, auth, match):
    decide(client, auth, users["officer"], match.id, decision="approve")
    stranger = UserFactory(role=Role.RESEARCHER)
    db.session.commit()
    assert respond(client, auth, stranger, match.id, "accept").status_code == 404


def test_bulk_decisions_report_each_result(client, db, users, auth):
    a, b = MatchFactory(), MatchFactory(status=MatchStatus.APPROVED)
    db.session.commit()
    resp = client.post(
        "/api/v1/matches/decisions",
        headers=auth(users["officer"]),
        json={"ids": [a.id, b.id, 999999], "decision": "reject", "reason": "Out of scope"},
    )
    assert resp.status_code == 200
    assert resp.get_json()["results"] == [
        {"id": a.id, "status": "rejected"},
        {"id": b.id, "error": "A approved match cannot become rejected.", "code": 409},
        {"id": 999999, "error": "No match with id 999999.", "code": 404},
    ]


def test_notes_reviewer_and_audit(client, db, users, auth, match):
    officer = auth(users["officer"])
    other = UserFactory(role=Role.OFFICER)
    db.session.commit()
    resp = client.post(
        f"/api/v1/matches/{match.id}/notes", json={"body": "预约下周会谈"}, headers=officer
    )
    assert resp.status_code == 201
    notes = client.get(f"/api/v1/matches/{match.id}/notes", headers=officer).get_json()
    assert [n["body"] for n in notes] == ["预约下周会谈"]
    resp = client.put(
        f"/api/v1/challenges/{match.challenge_id}/reviewer",
        json={"reviewer_id": other.id},
        headers=officer,
    )
    assert resp.status_code == 200 and resp.get_json()["reviewer_id"] == other.id
    bad = client.put(
        f"/api/v1/challenges/{match.challenge_id}/reviewer",
        json={"reviewer_id": users["company"].id},
        headers=officer,
    )
    assert bad.status_code == 422
    mine = client.get(f"/api/v1/matches?reviewer_id={other.id}", headers=officer).get_json()
    assert [m["id"] for m in mine["items"]] == [match.id]
    log = client.get(
        f"/api/v1/audit?object=challenges&object_id={match.challenge_id}", headers=officer
    ).get_json()
    entry = log["items"][0]
    assert entry["action"] == "assign_reviewer"
    assert entry["before"] == {"reviewer_id": None} and entry["after"] == {"reviewer_id": other.id}
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.user_id == other.id)
        )
        == 1
    )


def test_notifications_mark_read(client, db, users, auth):
    for i in range(3):
        db.session.add(Notification(user_id=users["company"].id, kind="t", title=f"n{i}"))
    db.session.commit()
    headers = auth(users["company"])
    items = client.get("/api/v1/notifications", headers=headers).get_json()["items"]
    assert client.post(f"/api/v1/notifications/{items[0]['id']}/read", headers=headers).get_json()[
        "read_at"
    ]
    assert client.get("/api/v1/notifications?unread=true", headers=headers).get_json()["total"] == 2
    assert client.post("/api/v1/notifications/read-all", headers=headers).get_json() == {
        "marked": 2
    }
    assert (
        client.post(
            f"/api/v1/notifications/{items[0]['id']}/read", headers=auth(users["researcher"])
        ).status_code
        == 404
    )


def test_reports_summary_and_csv(client, db, users, auth, match):
    decide(client, auth, users["officer"], match.id, decision="approve")
    MatchFactory(score=0.1)
    db.session.commit()
    summary = client.get("/api/v1/reports/summary", headers=auth(users["officer"])).get_json()
    assert summary["total"] == 2
    assert summary["by_status"]["introduced"] == 1 and summary["by_status"]["proposed"] == 1
    assert summary["by_sector"] == {"advanced-manufacturing": 2}
    assert summary["time_to_decision_hours"]["n"] == 1
    assert summary["time_to_first_proposal_hours"]["n"] == 2
    assert len(summary["by_month"]) == 1
    resp = client.get("/api/v1/reports/matches.csv", headers=auth(users["officer"]))
    assert resp.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["match_id", "status", "score"]
    assert "焊缝缺陷检测" in {r[4] for r in rows[1:]}


def test_a_colleague_of_the_capability_owner_is_no_party(client, db, users, auth):
    """The restricted challenge opens to the capability's owner only; a colleague from the
    same university once read it on the match and declined on the owner's behalf."""
    secret = "Confidential: our supplier's weld failure rate is 4%."
    m = MatchFactory(
        challenge=ChallengeFactory(
            author=users["company"], visibility=Visibility.RESTRICTED, description=secret
        ),
        capability=CapabilityFactory(owner=users["researcher"]),
    )
    colleague = UserFactory(role=Role.RESEARCHER, organisation=users["researcher"].organisation)
    db.session.commit()
    assert decide(client, auth, users["officer"], m.id, decision="approve").status_code == 200
    for path in (f"/api/v1/matches/{m.id}", f"/api/v1/challenges/{m.challenge_id}"):
        assert client.get(path, headers=auth(colleague)).status_code == 404
        assert client.get(path, headers=auth(users["researcher"])).status_code == 200
    assert respond(client, auth, colleague, m.id, "decline").status_code == 404
    assert db.session.get(Match, m.id).status == MatchStatus.INTRODUCED
    assert respond(client, auth, users["researcher"], m.id, "accept").status_code == 200


def test_the_decision_reason_is_for_officers_only(client, db, users, auth, match):
    decide(client, auth, users["officer"], match.id, decision="approve", reason="Weak fit; ok")
    for who in ("company", "researcher"):
        for path in (
            f"/api/v1/matches/{match.id}",
            f"/api/v1/challenges/{match.challenge_id}/matches",
        ):
            body = client.get(path, headers=auth(users[who])).get_json()
            assert "decision_reason" not in str(body), (who, path)
    officer = client.get(f"/api/v1/matches/{match.id}", headers=auth(users["officer"]))
    assert officer.get_json()["decision_reason"] == "Weak fit; ok"


FORMULAS = ['=HYPERLINK("http://evil.test","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1)"]


@pytest.mark.parametrize("path", ["/api/v1/reports/matches.csv", "/dashboard/matches.csv"])
def test_csv_exports_neutralise_formulas_and_start_with_a_bom(client, db, users, auth, path):
    for i, formula in enumerate(FORMULAS):
        MatchFactory(
            challenge=ChallengeFactory(author=users["company"], title=formula),
            capability=CapabilityFactory(owner=users["researcher"], title=f"\t{i}=1"),
        )
    db.session.commit()
    if path.startswith("/api"):
        resp = client.get(path, headers=auth(users["officer"]))
    else:
        from tests.web.conftest import sign_in

        sign_in(client, users["officer"])
        resp = client.get(path)
    text = resp.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    titles = {r[4] for r in rows[1:]}
    assert titles == {"'" + f for f in FORMULAS}
    assert {r[8] for r in rows[1:]} == {f"'\t{i}=1" for i in range(len(FORMULAS))}
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r)


def test_csv_export_streams_every_match_in_batches(client, db, users, auth, monkeypatch):
    from xeco.services import reports

    monkeypatch.setattr(reports, "CSV_BATCH", 2)
    made = [MatchFactory(score=0.5) for _ in range(5)]
    db.session.commit()
    ids = sorted(m.id for m in made)
    resp = client.get("/api/v1/reports/matches.csv", headers=auth(users["officer"]))
    assert resp.is_streamed
    chunks = [c.decode() if isinstance(c, bytes) else c for c in resp.response]
    assert len(chunks) == 1 + 3  # the header, then batches of 2, 2 and 1
    rows = list(csv.reader(io.StringIO("".join(chunks).lstrip("\ufeff"))))
    assert [int(r[0]) for r in rows[1:]] == ids
