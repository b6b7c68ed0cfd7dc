"""The review queue, decisions, introductions and answers, runs and the dashboard."""

from __future__ import annotations

from tests.factories import CapabilityFactory, ChallengeFactory, MatchFactory, UserFactory
from tests.web.conftest import csrf_token, post_form
from xeco.models import Match, MatchingRun, MatchStatus, Role, Visibility


def _match(users, db, **kw):
    challenge = ChallengeFactory(
        author=users["company"],
        title="机器视觉缺陷检测 for housings",
        description="Inline machine vision: 检测铝壳表面缺陷 and Defects.",
    )
    capability = CapabilityFactory(owner=users["researcher"])
    match = MatchFactory(
        challenge=challenge,
        capability=capability,
        explanation=[["缺陷", 0.3], ["machine vision", 0.2], ["defect", 0.1]],
        **kw,
    )
    db.session.commit()
    return match


def _decide(client, match, confirmed="1", **data):
    token = csrf_token(client, "/review")
    data = {"csrf_token": token, "confirmed": confirmed, **data}
    return client.post(f"/matches/{match.id}/decide", data=data)


def test_queue_highlights_the_terms_in_both_texts(signed_in, users, db):
    match = _match(users, db)
    html = signed_in(users["officer"]).get("/review").get_data(as_text=True)
    assert f'id="proposal-{match.id}"' in html
    assert '<mark class="hl hl-1" data-term="缺陷">缺陷</mark>' in html
    assert 'data-term="machine vision">machine vision</mark>' in html
    assert 'data-term="defect">Defects</mark>' in html  # case-insensitive, whole word


def test_approving_introduces_and_the_company_sees_it(signed_in, users, db):
    match = _match(users, db)
    officer = signed_in(users["officer"])
    response = _decide(officer, match, decision="approve", next="/review")
    assert response.status_code == 302 and response.headers["Location"] == "/review"
    db.session.refresh(match)
    assert match.status == MatchStatus.INTRODUCED
    officer.post("/signout", data={"csrf_token": csrf_token(officer, "/review")})

    company = signed_in(users["company"])
    page = company.get(f"/challenges/{match.challenge_id}").get_data(as_text=True)
    assert "Introduced" in page and match.capability.title in page
    token = csrf_token(company, f"/matches/{match.id}")
    data = {"csrf_token": token, "response": "accept", "note": "Glad to"}
    asked = company.post(f"/matches/{match.id}/respond", data=data)
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Accept this introduction?" in html
    assert '<input type="hidden" name="note" value="Glad to">' in html
    db.session.refresh(match)
    assert match.company_response is None, "nothing is recorded before the confirmation"
    company.post(f"/matches/{match.id}/respond", data=dict(data, confirmed="1"))
    db.session.refresh(match)
    assert match.company_response.value == "accept" and match.company_note == "Glad to"
    assert match.company_responded_at is not None
    assert "Notifications" in company.get("/notifications/").get_data(as_text=True)


def test_a_decision_is_confirmed_on_a_page_of_its_own_without_script(signed_in, users, db):
    match = _match(users, db)
    officer = signed_in(users["officer"])
    asked = _decide(officer, match, confirmed="", decision="approve", next="/review")
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Approve this match and introduce both parties?" in html
    assert '<input type="hidden" name="decision" value="approve">' in html
    assert '<input type="hidden" name="confirmed" value="1">' in html
    assert f'href="/review#proposal-{match.id}">Cancel</a>' in html
    db.session.refresh(match)
    assert match.status == MatchStatus.PROPOSED


def test_a_rejection_without_a_reason_marks_the_field(signed_in, users, db):
    match = _match(users, db)
    officer = signed_in(users["officer"])
    response = _decide(officer, match, decision="reject", next="/review?page=1#proposal-999")
    assert response.headers["Location"] == f"/review?page=1#proposal-{match.id}"
    html = officer.get("/review").get_data(as_text=True)
    assert "Give a reason to reject." in html
    assert f'id="m{match.id}-reason-errors"' in html and 'aria-invalid="true"' in html
    assert 'id="bulk-reason-errors"' not in html
    db.session.refresh(match)
    assert match.status == MatchStatus.PROPOSED
    _decide(officer, match, decision="reject", reason="Wrong sector")
    db.session.refresh(match)
    assert match.status == MatchStatus.REJECTED and match.decision_reason == "Wrong sector"


def test_parties_cannot_decide_or_see_proposals(signed_in, users, db):
    match = _match(users, db)
    company = signed_in(users["company"])
    assert company.get("/review").status_code == 403
    token = csrf_token(company, "/matches/")
    response = company.post(f"/matches/{match.id}/decide", data={"csrf_token": token})
    assert response.status_code == 403
    assert company.get(f"/matches/{match.id}").status_code == 404  # proposed: not theirs yet


def test_run_progress_for_the_page_without_a_token(signed_in, users, db):
    officer = signed_in(users["officer"])
    token = csrf_token(officer, "/runs/")
    response = officer.post("/runs/", data={"csrf_token": token})
    run_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert db.session.get(MatchingRun, run_id).trigger == "manual"
    page = officer.get(f"/runs/{run_id}").get_data(as_text=True)
    assert f'data-progress-url="/runs/{run_id}/progress"' in page and "<progress" in page
    progress = officer.get(f"/runs/{run_id}/progress")
    assert progress.is_json and progress.json["state"] == "pending"
    assert set(progress.json) >= {"done", "total", "progress", "proposals"}
    officer.post("/signout", data={"csrf_token": csrf_token(officer, "/runs/")})
    assert signed_in(users["company"]).get(f"/runs/{run_id}/progress").status_code == 403


def test_dashboard_draws_charts_from_the_reports(signed_in, users, db):
    _match(users, db, status=MatchStatus.REJECTED)
    officer = signed_in(users["officer"])
    html = officer.get("/dashboard").get_data(as_text=True)
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 5
    assert "Advanced manufacturing" in html
    csv = officer.get("/dashboard/matches.csv")
    assert csv.mimetype == "text/csv" and "机器视觉缺陷检测" in csv.get_data(as_text=True)


def test_a_colleague_of_the_capability_owner_sees_no_match_page(signed_in, users, db):
    m = MatchFactory(
        challenge=ChallengeFactory(author=users["company"], visibility=Visibility.RESTRICTED),
        capability=CapabilityFactory(owner=users["researcher"]),
        status=MatchStatus.INTRODUCED,
    )
    colleague = UserFactory(role=Role.RESEARCHER, organisation=users["researcher"].organisation)
    db.session.commit()
    client = signed_in(colleague)
    assert client.get(f"/matches/{m.id}").status_code == 404
    assert (
        post_form(
            client, f"/matches/{m.id}/respond", {"response": "decline"}, form_url="/matches/"
        ).status_code
        == 404
    )
    assert db.session.get(Match, m.id).status == MatchStatus.INTRODUCED


def test_the_queue_decides_on_several_and_keeps_the_officers_place(signed_in, users, db):
    first, second, third = (_match(users, db, score=s) for s in (0.9, 0.8, 0.7))
    officer = signed_in(users["officer"])
    html = officer.get("/review").get_data(as_text=True)
    # Each card's form returns to its neighbour: after a decision the card itself is gone.
    assert f'name="next" value="/review#proposal-{second.id}"' in html
    assert html.count('form="bulk"') == 3
    token = csrf_token(officer, "/review")
    data = {
        "csrf_token": token,
        "ids": [first.id, third.id],
        "decision": "reject",
        "next": "/review",
    }
    refused = officer.post("/review/decisions", data=data)
    assert refused.headers["Location"] == "/review#bulk"
    assert 'id="bulk-reason-errors"' in officer.get("/review").get_data(as_text=True)
    data["reason"] = "Out of scope"
    asked = officer.post("/review/decisions", data=data).get_data(as_text=True)
    assert "2 matches are selected." in asked
    done = officer.post("/review/decisions", data=dict(data, confirmed="1"))
    assert done.headers["Location"] == "/review"
    page = officer.get("/review").get_data(as_text=True)
    assert "2 matches rejected." in page
    statuses = [db.session.get(Match, m.id).status for m in (first, second, third)]
    assert statuses == [MatchStatus.REJECTED, MatchStatus.PROPOSED, MatchStatus.REJECTED]


def test_a_company_reopens_a_challenge_it_closed(signed_in, users, db, auth, client):
    challenge = ChallengeFactory(author=users["company"])
    db.session.commit()
    company = signed_in(users["company"])
    assert post_form(company, f"/challenges/{challenge.id}/close", {}, form_url="/challenges/")
    page = company.get(f"/challenges/{challenge.id}").get_data(as_text=True)
    assert "Reopen" in page and "Edit" not in page
    post_form(company, f"/challenges/{challenge.id}/reopen", {}, form_url="/challenges/")
    db.session.refresh(challenge)
    assert challenge.status.value == "open" and challenge.closed_at is None
    api = company.post(f"/api/v1/challenges/{challenge.id}/reopen", headers=auth(users["company"]))
    assert api.status_code == 409
    other = company.post(
        f"/api/v1/challenges/{challenge.id}/reopen", headers=auth(users["company_other"])
    )
    assert other.status_code == 403
