"""The matching pipeline with real workers: Redis + PostgreSQL, and the embedded default."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_jwt_extended import create_access_token
from flask_migrate import upgrade

from tests.conftest import make_test_app
from tests.integration.conftest import _base_env, wait_for
from xeco import transaction
from xeco.extensions import db
from xeco.models import Match, MatchingRun, Role, RunState, TaskOutbox, User
from xeco.services import matching
from xeco.services.users import ORG_KIND_FOR_ROLE, create_user, find_or_create_organisation

pytestmark = pytest.mark.slow

TOPICS = [
    ("lithium battery solid-state electrolyte", "锂电池 固态电解质 界面"),
    ("machine vision defect detection", "机器视觉 缺陷检测 表面"),
    ("mRNA lipid nanoparticle delivery", "mRNA 脂质纳米颗粒 递送"),
    ("silicon carbide power device reliability", "碳化硅 功率器件 可靠性"),
    ("graphene thermal film manufacturing", "石墨烯 导热膜 制备"),
    ("vehicle routing reinforcement learning", "车辆路径 强化学习 调度"),
]


def make_user(email: str, role: Role, org: str | None = None) -> User:
    organisation = find_or_create_organisation(org, ORG_KIND_FOR_ROLE[role]) if org else None
    existing = db.session.scalar(sa.select(User).where(User.email == email))
    return existing or create_user(email, "password-123", role, organisation=organisation)


def headers(user: User) -> dict:
    return {"Authorization": f"Bearer {create_access_token(identity=user)}"}


def seed_capabilities(prefix: str) -> dict[str, User]:
    people = {}
    for i, (en, _zh) in enumerate(TOPICS):
        user = make_user(f"{prefix}-r{i}@example.com", Role.RESEARCHER, f"{prefix} University {i}")
        people[en] = user
    db.session.flush()
    return people


def post(client, url, user, body):
    resp = client.post(url, json=body, headers=user if isinstance(user, dict) else headers(user))
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def proposals(app, challenge_id) -> list[tuple[int, int, float]]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(Match.challenge_id, Match.capability_id, Match.score)
            .where(Match.challenge_id == challenge_id)
            .order_by(Match.capability_id)
        ).all()
        db.session.remove()
        return [tuple(r) for r in rows]


def test_real_worker_writes_proposals_for_a_posted_challenge(live_pg):
    app, client = live_pg.app, live_pg.app.test_client()
    worker = live_pg.worker().start()
    with app.app_context():
        people = seed_capabilities("p1")
        company = make_user("p1-company@example.com", Role.COMPANY, "p1 Company")
        transaction.commit()
        for en, zh in TOPICS:
            post(
                client,
                "/api/v1/capabilities",
                people[en],
                {
                    "title": f"Research on {en}",
                    "summary": f"{en}. {zh}. Ten years of work.",
                    "keywords": en.split()[:3],
                },
            )
        challenge = post(
            client,
            "/api/v1/challenges",
            company,
            {
                "title": "We need machine vision defect detection",
                "description": "Surface defect detection with machine vision on our stamping line; "
                "缺陷检测。",
            },
        )
    found = wait_for(lambda: proposals(app, challenge["id"]), 60, what="proposals")
    with app.app_context():
        cap_titles = {
            c
            for (c,) in db.session.execute(
                sa.select(Match.capability_id).where(Match.challenge_id == challenge["id"])
            )
        }
        assert len(cap_titles) == len(found) >= 1
    # The proposals may come first from a capability's task (it re-matches open challenges).
    wait_for(lambda: worker.count("match_challenge challenge=") >= 1, 60, what="its own task")
    worker.stop()


def test_same_task_delivered_twice_leaves_the_same_rows(live_pg):
    app = live_pg.app
    with app.app_context():
        challenge_id = db.session.scalar(sa.select(sa.func.max(Match.challenge_id)))
        db.session.remove()
    worker = live_pg.worker().start()
    done = lambda: worker.count(f"match_challenge challenge={challenge_id} ")  # noqa: E731
    celery = app.extensions["celery"]
    # A first delivery, after whatever the last test left queued (the index may have been
    # refitted in the background since its proposals were written): the rows as they stand.
    celery.send_task("xeco.match_challenge", kwargs={"challenge_id": challenge_id})
    wait_for(lambda: done() >= 1, 60, what="the first delivery")
    before = proposals(app, challenge_id)
    assert before
    for _ in range(2):
        celery.send_task("xeco.match_challenge", kwargs={"challenge_id": challenge_id})
    wait_for(lambda: done() >= 3, 60, what="both deliveries")
    assert proposals(app, challenge_id) == before
    worker.stop()


def test_worker_killed_mid_run_is_finished_by_the_next_with_nothing_missing_or_doubled(live_pg):
    app, client = live_pg.app, live_pg.app.test_client()
    with app.app_context():
        people = seed_capabilities("p3")
        company = make_user("p3-company@example.com", Role.COMPANY, "p3 Company")
        officer = make_user("p3-officer@example.com", Role.OFFICER)
        transaction.commit()
        for en, zh in TOPICS:
            post(
                client,
                "/api/v1/capabilities",
                people[en],
                {"title": f"Lab of {en}", "summary": f"{en} {zh} research and testing."},
            )
        for i in range(90):
            en, zh = TOPICS[i % len(TOPICS)]
            post(
                client,
                "/api/v1/challenges",
                company,
                {"title": f"Need {i}: {en}", "description": f"Project {i} about {en}; {zh}."},
            )
        # The per-item jobs are not what this test is about: drop them from the queue.
        db.session.execute(sa.update(TaskOutbox).values(sent_at=sa.func.now()))
        db.session.commit()
        import redis

        redis.Redis.from_url(live_pg.env["CELERY_BROKER_URL"]).flushdb()
        resp = client.post("/api/v1/matching/runs", headers=headers(officer))
        assert resp.status_code == 202
        run_id = resp.get_json()["id"]
        again = client.post("/api/v1/matching/runs", headers=headers(officer))
        assert again.get_json()["id"] == run_id  # one run at a time
        db.session.remove()

    def run_state():
        with app.app_context():
            run = db.session.get(MatchingRun, run_id)
            state = (run.state, run.done, run.total)
            db.session.remove()
            return state

    first = live_pg.worker().start()
    wait_for(lambda: run_state()[1] >= 20, 120, interval=0.02, what="a part of the run done")
    first.kill()
    state, done, total = run_state()
    assert state == RunState.RUNNING and 0 < done < total, (state, done, total)

    second = live_pg.worker().start()
    wait_for(lambda: run_state()[0] == RunState.SUCCEEDED, 120, what="the run to finish")
    state, done, total = run_state()
    assert done == total >= 90
    with app.app_context():
        pairs = db.session.execute(sa.select(Match.challenge_id, Match.capability_id)).all()
        assert len(pairs) == len(set(pairs))
        # Nothing missing: matching every challenge again in-process proposes nothing new.
        challenge_ids = {c for c, _ in pairs}
        for cid in challenge_ids:
            out = matching.match_challenge(cid)
            assert out.proposed == 0 and out.withdrawn == 0, (cid, out)
        db.session.rollback()
        run = db.session.get(MatchingRun, run_id)
        assert run.errors == []
        db.session.remove()
    second.stop()


def test_posts_succeed_while_the_broker_is_down_and_are_matched_when_it_returns(
    live_pg, redis_server
):
    url = live_pg.env["DATABASE_URL"]
    app = make_test_app(url, live_pg.env["XECO_INSTANCE_PATH"], CELERY_BROKER_URL=redis_server.url)
    client = app.test_client()
    with app.app_context():
        people = seed_capabilities("p4")
        company = make_user("p4-company@example.com", Role.COMPANY, "p4 Company")
        transaction.commit()
        company = headers(company)
        en, zh = TOPICS[3]
        post(
            client,
            "/api/v1/capabilities",
            people[en],
            {"title": f"Power devices: {en}", "summary": f"{en}; {zh}."},
        )
        db.session.remove()
    redis_server.stop()
    with app.app_context():
        challenge = post(
            client,
            "/api/v1/challenges",
            company,
            {
                "title": "Silicon carbide power device reliability",
                "description": "Gate oxide reliability of silicon carbide power devices; 碳化硅。",
            },
        )
        pending = db.session.scalars(
            sa.select(TaskOutbox).where(TaskOutbox.sent_at.is_(None))
        ).all()
        assert [j.task for j in pending] == ["xeco.match_challenge"]
        assert pending[0].last_error
        health = client.get("/api/v1/health").get_json()
        assert health["broker"]["ok"] is False and health["pending_jobs"] >= 1
        db.session.remove()
    redis_server.start()
    worker = live_pg.worker(CELERY_BROKER_URL=redis_server.url).start()
    # The worker relays the outbox when it starts; no one has to do anything.
    wait_for(lambda: proposals(app, challenge["id"]), 60, what="proposals after recovery")
    worker.stop()
    with app.app_context():
        db.engine.dispose()


def test_embedded_default_needs_no_redis(tmp_path):
    """No CELERY_BROKER_URL: SQLite and the filesystem transport, with a real worker."""
    instance = tmp_path / "instance"
    db_url = f"sqlite:///{tmp_path / 'embedded.db'}"
    app = make_test_app(db_url, str(instance), CELERY_BROKER_URL=None)
    with app.app_context():
        upgrade()
        researcher = make_user("e-r@example.com", Role.RESEARCHER, "Embedded University")
        company = make_user("e-c@example.com", Role.COMPANY, "Embedded Company")
        transaction.commit()
        client = app.test_client()
        post(
            client,
            "/api/v1/capabilities",
            researcher,
            {"title": "Graphene thermal films", "summary": "石墨烯导热膜的制备与表征 graphene."},
        )
        challenge = post(
            client,
            "/api/v1/challenges",
            company,
            {"title": "石墨烯导热膜量产", "description": "需要低成本制备高导热石墨烯导热膜。"},
        )
        assert client.get("/api/v1/health").get_json()["broker"]["kind"] == "embedded"
        db.session.remove()
    from tests.integration.conftest import Worker

    worker = Worker(_base_env(instance, DATABASE_URL=db_url), tmp_path / "w.log").start()
    try:
        wait_for(lambda: proposals(app, challenge["id"]), 60, what="embedded proposals")
        with app.app_context():
            health = app.test_client().get("/api/v1/health").get_json()
            wait_for(
                lambda: app.test_client().get("/api/v1/health").get_json()["worker"]["ok"],
                30,
                what="worker heartbeat",
            )
            assert health["database"]["kind"] == "sqlite"
            db.engine.dispose()
    finally:
        worker.stop()
