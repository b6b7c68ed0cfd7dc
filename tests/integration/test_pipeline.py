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
from xeco.models import Challenge, Match, MatchingRun, Role, RunState, TaskOutbox, User
from xeco.services import matching, runs
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


def start_run(live_pg, prefix: str, n_challenges: int) -> tuple[int, dict]:
    """Capabilities, ``n_challenges`` challenges and a full run started by an officer.

    Returns the run's id and the officer's headers. No worker runs yet.
    """
    app, client = live_pg.app, live_pg.app.test_client()
    with app.app_context():
        people = seed_capabilities(prefix)
        company = make_user(f"{prefix}-company@example.com", Role.COMPANY, f"{prefix} Company")
        officer = make_user(f"{prefix}-officer@example.com", Role.OFFICER)
        transaction.commit()
        for en, zh in TOPICS:
            post(
                client,
                "/api/v1/capabilities",
                people[en],
                {"title": f"Lab of {en}", "summary": f"{en} {zh} research and testing."},
            )
        for i in range(n_challenges):
            en, zh = TOPICS[i % len(TOPICS)]
            post(
                client,
                "/api/v1/challenges",
                company,
                {"title": f"Need {i}: {en}", "description": f"Project {i} about {en}; {zh}."},
            )
        # The per-item jobs are not what these tests are about: drop them from the queue.
        db.session.execute(sa.update(TaskOutbox).values(sent_at=sa.func.now()))
        db.session.execute(sa.update(Challenge).values(match_due_at=None))
        db.session.commit()
        import redis

        redis.Redis.from_url(live_pg.env["CELERY_BROKER_URL"]).flushdb()
        officer_h = headers(officer)
        resp = client.post("/api/v1/matching/runs", headers=officer_h)
        assert resp.status_code == 202
        run_id = resp.get_json()["id"]
        again = client.post("/api/v1/matching/runs", headers=officer_h)
        assert again.get_json()["id"] == run_id  # one run at a time
        db.session.remove()
    return run_id, officer_h


def run_state(app, run_id: int) -> tuple[RunState, int, int]:
    with app.app_context():
        run = db.session.get(MatchingRun, run_id)
        state = (run.state, run.done, run.total)
        db.session.remove()
        return state


def assert_complete(app, run_id: int, n_challenges: int) -> None:
    """The run succeeded with every challenge counted once, no pair twice, nothing missing."""
    state, done, total = run_state(app, run_id)
    assert state == RunState.SUCCEEDED and done == total >= n_challenges, (state, done, total)
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


def restart_and_finish(live_pg, run_id: int, n_challenges: int) -> None:
    """A worker started again (no one resumes anything by hand) finishes the run in 60 s."""
    second = live_pg.worker().start()
    try:
        wait_for(
            lambda: run_state(live_pg.app, run_id)[0] == RunState.SUCCEEDED, 60, what="the run"
        )
        assert_complete(live_pg.app, run_id, n_challenges)
    finally:
        second.stop()


def test_worker_killed_mid_run_is_finished_by_the_next_with_nothing_missing_or_doubled(live_pg):
    app = live_pg.app
    run_id, _ = start_run(live_pg, "p3", 90)
    first = live_pg.worker().start()
    wait_for(lambda: run_state(app, run_id)[1] >= 20, 120, interval=0.02, what="part of the run")
    first.kill()
    state, done, total = run_state(app, run_id)
    assert state == RunState.RUNNING and 0 < done < total, (state, done, total)

    restart_and_finish(live_pg, run_id, 90)


def test_worker_killed_while_planning_is_finished_by_the_next(live_pg):
    app = live_pg.app
    run_id, _ = start_run(live_pg, "p5", 30)
    with app.app_context():
        # Hold the run's row, so the worker is caught inside planning when it is killed.
        holder = db.engine.connect()
        hold = holder.begin()
        holder.execute(sa.select(MatchingRun.id).where(MatchingRun.id == run_id).with_for_update())

        def planner_waits() -> bool:
            with db.engine.connect() as conn:
                return bool(
                    conn.scalar(
                        sa.text(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                            "current_database() AND wait_event_type = 'Lock'"
                        )
                    )
                )

        first = live_pg.worker().start()
        try:
            wait_for(planner_waits, 60, what="the planner to wait for the run's row")
            first.kill()
        finally:
            hold.rollback()
            holder.close()
        db.session.remove()
    state, done, total = run_state(app, run_id)
    assert (state, done, total) == (RunState.PENDING, 0, 0)

    restart_and_finish(live_pg, run_id, 30)


def test_a_chunk_that_fails_for_good_fails_its_run_visibly(live_pg):
    from xeco.models import RunChunk
    from xeco.tasks import matching as tasks

    app = live_pg.app
    run_id, officer_h = start_run(live_pg, "p6", 6)
    with app.app_context():
        tasks.full_run(run_id)  # planned here as a worker would; its chunks go to Redis
        # A chunk no delivery can do (not a transient error: retrying cannot help).
        db.session.execute(
            sa.update(RunChunk)
            .where(RunChunk.run_id == run_id, RunChunk.number == 0)
            .values(challenge_ids={"not": "ids"})
        )
        db.session.commit()
        db.session.remove()
    worker = live_pg.worker().start()
    wait_for(lambda: run_state(app, run_id)[0] == RunState.FAILED, 60, what="the run to fail")
    body = app.test_client().get(f"/api/v1/matching/runs/{run_id}", headers=officer_h).get_json()
    assert body["state"] == "failed" and body["finished_at"]
    assert body["errors"] == [
        f"chunk 0: CorruptChunk: chunk 0 of run {run_id} holds no list of challenge ids"
    ]
    with app.app_context():
        # The run no longer blocks the next one.
        assert runs.active_run() is None
        db.session.remove()
    worker.stop()


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
        # No message went: the challenge's mark says it waits (an outbox row would say
        # no more), and the health check tells how many wait.
        assert db.session.get(Challenge, challenge["id"]).match_due_at is not None
        health = client.get("/api/v1/health").get_json()
        assert health["broker"]["ok"] is False and health["waiting_for_matching"] >= 1
        db.session.remove()
    redis_server.start()
    worker = live_pg.worker(CELERY_BROKER_URL=redis_server.url).start()
    # The worker takes what waits when it starts; no one has to do anything.
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
