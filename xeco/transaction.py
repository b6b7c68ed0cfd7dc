"""One unit of work per request, task and command: commit once, then run the after-commit hooks.

Services flush and never commit. What must wait until their changes are durable (publishing
the jobs they recorded) is registered here with ``collect``; ``commit`` commits and then
runs it, ``rollback`` forgets it. The app's request dispatch (``XecoFlask``), the Celery
task class and the CLI's command group end every unit through here, as indico's request
handler does, so no view, task or command commits by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from xeco.extensions import READS_ONLY, WITHOUT_TRANSACTION, db

log = logging.getLogger(__name__)
# Per-transaction state lives in the session's info, so a new session starts with none.
_STATE = "xeco_unit_of_work"


def _state() -> dict:
    return db.session.info.setdefault(_STATE, {"items": {}, "hooks": {}})


def collect(key: str, item: object, then: Callable[[list], object]) -> None:
    """Add ``item`` to this transaction's ``key`` list; ``then(items)`` runs after the commit."""
    state = _state()
    state["items"].setdefault(key, []).append(item)
    state["hooks"].setdefault(key, then)


def once(key: str) -> bool:
    """True the first time ``key`` is asked for in this transaction."""
    seen = _state()["items"].setdefault("once", [])
    if key in seen:
        return False
    seen.append(key)
    return True


def commit() -> None:
    state = db.session.info.pop(_STATE, None) or {"items": {}, "hooks": {}}
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    for key, hook in state["hooks"].items():
        hook(state["items"][key])


def rollback() -> None:
    db.session.info.pop(_STATE, None)
    try:
        db.session.rollback()
    except Exception:  # the database itself may be what failed
        log.exception("rollback failed")


def abandon(error: BaseException) -> None:
    """End a failed unit: roll back, unless the error says its changes must stay."""
    if getattr(error, "keep_changes", False):
        commit()
    else:
        rollback()


def writes(view):
    """Mark a view that writes though it answers a safe method: opening a match marks its
    notifications read, and an e-mail's confirmation link is followed by GET. Any other
    view of a safe method that writes raises ``ReadOnlyViolation``."""
    view.writes_on_safe_method = True
    return view


@contextmanager
def statements_alone() -> Iterator[None]:
    """Each statement of the block commits on its own (PostgreSQL's autocommit) when no
    transaction is open: one round trip for a single UPDATE after a commit, not three
    (BEGIN, the UPDATE, COMMIT). End the block with ``commit()``: the connection is taken
    for it. SQLite, or a transaction already begun, keep the usual transaction."""
    info = db.session.info
    alone = db.engine.dialect.name == "postgresql" and not db.session().in_transaction()
    if alone:
        info[WITHOUT_TRANSACTION] = True
    try:
        yield
    finally:
        if alone:
            info.pop(WITHOUT_TRANSACTION, None)


@contextmanager
def unit(reads_only: bool = False) -> Iterator[None]:
    """``reads_only``: a request by a safe method, which must not write (a flush or an
    INSERT, UPDATE or DELETE raises ``ReadOnlyViolation``). On PostgreSQL it then reads
    without a transaction, unless one was begun before (a ``before_request`` that read)."""
    info = db.session.info
    if reads_only:
        info[READS_ONLY] = True
        if db.engine.dialect.name == "postgresql" and not db.session().in_transaction():
            info[WITHOUT_TRANSACTION] = True
    try:
        yield
    except BaseException as error:
        abandon(error)
        raise
    else:
        if info.get(WITHOUT_TRANSACTION) and _nothing_to_commit():
            # Every statement has committed on its own: a commit would only expire each
            # loaded object, a twentieth of a list's CPU. The request's end closes the session.
            info.pop(_STATE, None)
        else:
            commit()
    finally:
        info.pop(READS_ONLY, None)
        info.pop(WITHOUT_TRANSACTION, None)


def _nothing_to_commit() -> bool:
    # An object added or changed but not flushed is left to ``commit``, whose flush then
    # raises ``ReadOnlyViolation`` as it always did; so are after-commit hooks.
    session = db.session()
    hooks = session.info.get(_STATE, {}).get("hooks")
    return not (hooks or session.new or session.dirty or session.deleted)
