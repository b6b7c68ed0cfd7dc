"""One fitted index for many hosts: a worker that joins a running full run loads, not fits."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from tests.integration.conftest import wait_for
from tests.integration.test_pipeline import run_state as pipeline_run_state
from tests.integration.test_pipeline import start_run
from xeco.extensions import db
from xeco.models import RunState, StoredIndex

pytestmark = pytest.mark.slow


def test_a_second_worker_joins_a_running_full_run_with_the_stored_index(live_pg):
    app = live_pg.app
    run_id, _officer = start_run(live_pg, "ix", 60)

    def run_state():
        return pipeline_run_state(app, run_id)

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
