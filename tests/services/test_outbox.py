"""The task outbox: jobs go to the broker once their change has committed, and are marked sent.

The tests' broker is kombu's in-memory transport: the messages are read back from its queue.
(A broker that is down is tested against a stopped Redis in tests/integration/test_pipeline.)
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from tests.conftest import drain_tasks as _drain
from xeco import transaction
from xeco.extensions import db
from xeco.models import TaskOutbox
from xeco.services import outbox


def test_jobs_are_sent_after_the_commit_and_marked_once(app, db):
    _drain(app)
    first = outbox.enqueue("xeco.match_challenge", challenge_id=101)
    second = outbox.enqueue("xeco.match_capability", capability_id=202)
    assert _drain(app) == []  # nothing before the commit
    transaction.commit()
    assert _drain(app) == [
        ("xeco.match_challenge", {"challenge_id": 101}),
        ("xeco.match_capability", {"capability_id": 202}),
    ]
    rows = db.session.scalars(
        sa.select(TaskOutbox).where(TaskOutbox.id.in_([first.id, second.id]))
    ).all()
    assert all(r.sent_at is not None and r.attempts == 1 and r.last_error is None for r in rows)


def test_a_rolled_back_change_sends_nothing(app, db):
    _drain(app)
    outbox.enqueue("xeco.match_challenge", challenge_id=303)
    transaction.rollback()
    assert _drain(app) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TaskOutbox)) == 0


def test_the_relay_sends_what_is_pending_and_only_that(app, db):
    _drain(app)
    pending = TaskOutbox(task="xeco.match_challenge", kwargs={"challenge_id": 404}, attempts=2)
    done = TaskOutbox(task="xeco.match_challenge", kwargs={"challenge_id": 505})
    db.session.add_all([pending, done])
    db.session.flush()
    done.sent_at = pending.created_at
    db.session.commit()
    assert outbox.relay_pending() == 1
    assert _drain(app) == [("xeco.match_challenge", {"challenge_id": 404})]
    db.session.refresh(pending)
    assert pending.sent_at is not None and pending.attempts == 3
    assert outbox.relay_pending() == 0
    assert _drain(app) == []


def test_marking_sent_after_a_commit_needs_no_transaction_on_postgresql(real_app):
    name, app = real_app
    seen = []

    def _record(conn, _cursor, statement, *_args):
        if statement.startswith("UPDATE task_outbox"):
            raw = conn.connection.dbapi_connection
            seen.append(raw.autocommit if name == "postgresql" else raw.in_transaction)

    event.listen(db.engine, "before_cursor_execute", _record)
    try:
        with app.test_request_context(method="POST"), transaction.unit():
            job = outbox.enqueue("xeco.match_challenge", challenge_id=303)
        row = db.session.get(TaskOutbox, job.id)
        assert row.sent_at is not None and row.attempts == 1
        # PostgreSQL: one round trip (autocommit); SQLite keeps its transaction.
        assert seen == [True]
        _drain(app)
        db.session.delete(row)
        transaction.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", _record)


@pytest.fixture
def flags(app, redis_store):
    """The queued flags on the tests' Redis (the tests' broker is in memory)."""
    app.extensions[outbox.EXTENSION] = redis_store
    yield redis_store
    app.extensions.pop(outbox.EXTENSION, None)


def _nudge(challenge_id: int) -> None:
    outbox.nudge("xeco.match_challenge", challenge_id=challenge_id)


def _rows(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(TaskOutbox))


def test_a_nudge_sends_no_message_while_one_is_queued_and_records_nothing(app, db, flags):
    _drain(app)
    before = _rows(db)
    _nudge(1)
    transaction.commit()
    assert _drain(app) == [("xeco.match_challenge", {"challenge_id": 1})]
    assert 0 < flags.pttl(outbox.QUEUED + "xeco.match_challenge") <= outbox.QUEUED_MS
    _nudge(2)
    other = outbox.enqueue("xeco.match_capability", capability_id=3)
    transaction.commit()
    # The queued task will find the second challenge; the capability's job is no nudge.
    assert _drain(app) == [("xeco.match_capability", {"capability_id": 3})]
    db.session.refresh(other)
    assert other.sent_at is not None
    assert _rows(db) == before + 1  # the capability's job alone: a nudge leaves no row
    outbox.release("xeco.match_challenge")  # its task started
    _nudge(4)
    transaction.commit()
    assert _drain(app) == [("xeco.match_challenge", {"challenge_id": 4})]


def test_a_nudge_that_cannot_be_sent_lets_the_next_one_send(app, db, flags, monkeypatch):
    _drain(app)
    celery = app.extensions["celery"]

    def down(*_a, **_kw):
        raise ConnectionError("broker away")

    monkeypatch.setattr(celery, "send_task", down)
    before = _rows(db)
    _nudge(5)
    transaction.commit()
    # What it asked for waits in the caller's rows for the sweep; the flag is not left set.
    assert flags.get(outbox.QUEUED + "xeco.match_challenge") is None
    assert _rows(db) == before
    monkeypatch.undo()
    _nudge(6)
    transaction.commit()
    assert _drain(app) == [("xeco.match_challenge", {"challenge_id": 6})]


def test_without_redis_every_nudge_is_sent(app, db):
    _drain(app)
    _nudge(7)
    transaction.commit()
    _nudge(8)
    transaction.commit()
    assert [kw["challenge_id"] for _t, kw in _drain(app)] == [7, 8]


def test_a_due_challenge_is_matched_after_the_gathering_time(app, db, flags, monkeypatch):
    """Posts of the next moment join the task instead of each paying for a batch alone."""
    from datetime import UTC, datetime

    from xeco.services import matching

    _drain(app)
    monkeypatch.setitem(app.config, "MATCHING_GATHER_SECONDS", 0.2)
    sent_at = datetime.now(UTC)
    matching.ask_due(11)
    transaction.commit()
    celery = app.extensions["celery"]
    with celery.connection_for_read() as conn:
        queue = conn.SimpleQueue(celery.conf.task_default_queue)
        message = queue.get(block=False)
        message.ack()
        queue.close()
    assert message.payload[1] == {"challenge_id": 11, "due": True}
    waits = datetime.fromisoformat(message.headers["eta"]) - sent_at
    assert 0.15 < waits.total_seconds() < 1.0
