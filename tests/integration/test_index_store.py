"""One fitted index for many hosts: a worker that joins a running full run loads, not fits."""

from __future__ import annotations

import time

import pytest
import redis
import sqlalchemy as sa

from tests.integration.conftest import wait_for
from tests.integration.test_pipeline import TOPICS, headers, make_user, post, seed_capabilities
from xeco import transaction
from xeco.extensions import db
from xeco.models import MatchingRun, Role, RunState, StoredIndex, TaskOutbox

pytestmark = pytest.mark.slow


def test_a_second_worker_joins_a_running_full_run_with_the_stored_index(live_pg):
    app, client = live_pg.app, live_pg.app.test_client()
    with app.app_context():
        people = seed_capabilities("ix")
        company = make_user("ix-company@example.com", Role.COMPANY, "ix Company")
        officer = make_user("ix-officer@example.com", Role.OFFICER)
        transaction.commit()
        for en, zh in TOPICS:
            post(
                client,
                "/api/v1/capabilities",
                people[en],
                {"title": f"Lab of {en}", "summary": f"{en} {zh} research and testing."},
            )
        for i in range(60):
            en, zh = TOPICS[i % len(TOPICS)]
            post(
                client,
                "/api/v1/challenges",
                company,
                {"title": f"Need {i}: {en}", "description": f"Project {i} about {en}; {zh}."},
            )
        db.session.execute(sa.update(TaskOutbox).values(sent_at=sa.func.now()))
        db.session.commit()
        redis.Redis.from_url(live_pg.env["CELERY_BROKER_URL"]).flushdb()
        resp = client.post("/api/v1/matching/runs", headers=headers(officer))
        run_id = resp.get_json()["id"]
        db.session.remove()

    def run_state():
        with app.app_context():
            run = db.session.get(MatchingRun, run_id)
            state = (run.state, run.done, run.total)
            db.session.remove()
            return state

    first = live_pg.worker().start()
    wait_for(lambda: run_state()[1] >= 4, 120, interval=0.02, what="a part of the run done")
    first.kill()  # the first host goes away; what it fitted stays in the database
    assert first.count("fitted capabilities index") == 1
    with app.app_context():
        assert db.session.scalar(
            sa.select(sa.func.count())
            .select_from(StoredIndex)
            .where(StoredIndex.name == "capabilities")
        )
        db.session.remove()
    state, done, total = run_state()
    assert state == RunState.RUNNING and done < total

    # Another host: its own instance folder, nothing fitted, only the database and the broker.
    second = live_pg.worker(XECO_INSTANCE_PATH=live_pg.tmp / "other-host").start()
    ready = time.monotonic()
    wait_for(lambda: second.count("run_chunk run=") >= 1, 60, interval=0.05, what="a chunk")
    joined = time.monotonic() - ready
    wait_for(lambda: run_state()[0] == RunState.SUCCEEDED, 120, what="the run to finish")
    assert second.count("loaded stored capabilities index") >= 1
    assert second.count("fitted capabilities index") == 0, second.log.read_text()[-3000:]
    # The visibility timeout (4 s here) passes before the first host's chunks come back.
    assert joined < 30, joined
    second.stop()
