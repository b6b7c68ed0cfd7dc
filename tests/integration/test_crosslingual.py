"""Across languages with a real worker: a Chinese challenge gets the English lab, and back."""

from __future__ import annotations

import pytest

from tests.integration.conftest import wait_for
from tests.integration.test_pipeline import headers, make_user, post
from xeco import transaction
from xeco.models import Role

pytestmark = pytest.mark.slow

CAPABILITIES = [
    (
        "xl-zebrafish@example.com",
        "Zebrafish models for drug cardiotoxicity screening",
        "We screen drug candidates for cardiotoxicity in zebrafish larvae: heart rate, "
        "arrhythmia and heart morphology imaging.",
    ),
    (
        "xl-dyeing@example.com",
        "印染废水深度处理",
        "针对印染废水的高级氧化与膜分离处理工艺，降低色度和化学需氧量。",
    ),
    (
        "xl-steel@example.com",
        "Welding of high-strength steel",
        "Laser and arc welding of high-strength steel for car bodies; seam inspection.",
    ),
]


def matches_of(client, officer, challenge_id):
    resp = client.get(f"/api/v1/challenges/{challenge_id}/matches", headers=headers(officer))
    assert resp.status_code == 200
    return resp.get_json()["items"]


def test_chinese_challenge_gets_english_lab_and_english_challenge_gets_chinese_lab(live_pg):
    app, client = live_pg.app, live_pg.app.test_client()
    live_pg.worker().start()
    with app.app_context():
        owners = {}
        for i, (email, _title, _summary) in enumerate(CAPABILITIES):
            owners[email] = make_user(email, Role.RESEARCHER, f"XL University {i}")
        company = make_user("xl-company@example.com", Role.COMPANY, "XL Pharma")
        officer = make_user("xl-officer@example.com", Role.OFFICER)
        transaction.commit()
        caps = {}
        for email, title, summary in CAPABILITIES:
            body = {"title": title, "summary": summary}
            caps[email] = post(client, "/api/v1/capabilities", owners[email], body)
        assert caps["xl-zebrafish@example.com"]["language"] == "en"
        assert caps["xl-dyeing@example.com"]["language"] == "zh"
        zh = post(
            client,
            "/api/v1/challenges",
            company,
            {
                "title": "斑马鱼心脏毒性筛选",
                "description": "我们需要用斑马鱼模型评价候选药物的心脏毒性，寻求合作实验室。",
            },
        )
        en = post(
            client,
            "/api/v1/challenges",
            company,
            {
                "title": "Treating dyeing wastewater",
                "description": "Our textile plant needs advanced treatment of dyeing wastewater "
                "to cut colour and chemical oxygen demand.",
            },
        )
        assert (zh["language"], en["language"]) == ("zh", "en")

        found = wait_for(lambda: matches_of(client, officer, zh["id"]), 60, what="zh proposals")
        top = found[0]
        assert top["capability"]["id"] == caps["xl-zebrafish@example.com"]["id"]
        pairs = {(t["term"], t["counterpart"]) for t in top["explanation"] if t["cross_language"]}
        assert ("斑马鱼", "zebrafish") in pairs, top["explanation"]
        assert any(term == "心脏毒性" for term, _ in pairs), top["explanation"]

        found = wait_for(lambda: matches_of(client, officer, en["id"]), 60, what="en proposals")
        top = found[0]
        assert top["capability"]["id"] == caps["xl-dyeing@example.com"]["id"]
        crossing = [t for t in top["explanation"] if t["cross_language"]]
        assert any("wastewater" in t["term"] and "废水" in t["counterpart"] for t in crossing), top[
            "explanation"
        ]
        # Nothing proposed the welding lab for either challenge: no shared concept.
        steel = caps["xl-steel@example.com"]["id"]
        assert all(m["capability"]["id"] != steel for m in found)
