"""Fitted matchers for the workers: fitted once, stored once, changes folded in.

An index is a fitted :class:`~xeco.matching.Matcher` over the active capabilities (or the
open programmes) plus the row id at each position. Its signature (count, id sum, newest
``updated_at``) changes whenever a profile is added, edited or closed. Then:

- **fold** (the usual case): the rows changed since the index's newest ``updated_at`` (less
  ``MARGIN``, for clocks and transactions that commit late) are folded into the fitted term
  space (:meth:`Matcher.fold`), with no refit; a closed profile keeps its
  position, emptied (id -1). Every process folds the same changes on its own.
- **refit in the background**: when the folded share or the unknown-term share passes its
  threshold (:mod:`xeco.matching.folding`), a ``xeco.refit_index`` job fits afresh and stores
  the fit; every process then loads it at its next look and swaps it in (one assignment).
- **store**: every fit is stored in the database (services/index_store.py), so a process, on
  any host, that has no index yet loads the newest stored fit and folds the rest: only the
  first process ever, a forced refit (full runs) and the background refit pay for a fit.
"""

from __future__ import annotations

import functools
import logging
import math
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from xeco.extensions import db
from xeco.matching import Matcher, folding
from xeco.models import Capability, CapabilityStatus, Programme, ProgrammeStatus, StoredIndex
from xeco.resources import CAPABILITIES, PROGRAMMES
from xeco.services import challenge_vectors, index_store, outbox
from xeco.services.engine_inputs import capability_profile, programme_profile

log = logging.getLogger(__name__)
# Rows changed this long before an index's newest edit are looked at again when folding: an
# edit stamped on another host's clock, or committed after a later one, is not missed.
MARGIN = timedelta(minutes=2)
REFIT_TASK = "xeco.refit_index"


@dataclass
class Index:
    name: str
    matcher: Matcher | None
    ids: np.ndarray  # profile id at each position; -1 where a profile was closed
    signature: str
    newest: datetime | None = None
    # id -> updated_at (ISO) of rows within MARGIN of ``newest`` already in the index.
    seen: dict[int, str] = field(default_factory=dict)
    base_id: int | None = None  # the stored fit this index derives from
    checked: float = -math.inf  # time.monotonic() when last checked against the database

    def position(self, item_id: int) -> int | None:
        hits = np.flatnonzero(self.ids == item_id)
        return int(hits[0]) if hits.size else None

    def drift(self) -> dict:
        return folding.drift(self.matcher) if self.matcher is not None else {}


SOURCES = {
    "capabilities": (Capability, Capability.status == CapabilityStatus.ACTIVE, capability_profile),
    "programmes": (Programme, Programme.status == ProgrammeStatus.OPEN, programme_profile),
}
RESOURCES = {"capabilities": CAPABILITIES, "programmes": PROGRAMMES}
_cache: dict[str, Index] = {}
_lock = threading.Lock()
_refits_asked: set[tuple[str, int | None]] = set()


@functools.cache
def state_query(name: str) -> sa.Select:
    """Count, id sum and newest change of the active profiles, and the latest stored fit's
    id: what a task checks its index against, in one round trip. The first three come from
    the (status, id, updated_at) index alone (migration 0015), not from the rows. Built once
    per index: building it took a third of the check's CPU, on every matching task."""
    model, active, _ = SOURCES[name]
    profiles = (
        sa.select(
            sa.func.count().label("n"),
            sa.func.coalesce(sa.func.sum(model.id), 0).label("id_sum"),
            sa.func.max(model.updated_at).label("newest"),
        )
        .where(active)
        .subquery()
    )
    return sa.select(
        profiles.c.n, profiles.c.id_sum, profiles.c.newest, index_store.latest_id_query(name)
    )


@functools.cache
def states_query(names: tuple[str, ...]) -> sa.Select:
    """:func:`state_query` of several indexes side by side, in one round trip."""
    parts = [state_query(name).subquery() for name in names]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined.join(part, sa.true())  # one row each: a cross join, and said so
    return sa.select(*(column for part in parts for column in part.c)).select_from(joined)


def _state(name: str) -> tuple[str, int, int, int | None]:
    """The profiles' signature, count and id sum, and the latest stored fit's id."""
    return _read_state(*db.session.execute(state_query(name)).one())


def _read_state(count, id_sum, newest, stored) -> tuple[str, int, int, int | None]:
    sig = f"{count}:{id_sum}:{newest.isoformat() if newest else '-'}"
    return sig, count, id_sum, stored


def signature(name: str) -> str:
    return _state(name)[0]


def _rows(name: str, ids) -> dict[int, object]:
    model, _, _ = SOURCES[name]
    stmt = sa.select(model).where(model.id.in_(ids))
    if model is Capability:
        stmt = stmt.options(selectinload(Capability.publications))
    return {r.id: r for r in db.session.scalars(stmt)}


def _recent(stamps: dict[int, datetime], newest: datetime | None) -> dict[int, str]:
    if newest is None:
        return {}
    return {i: ts.isoformat() for i, ts in stamps.items() if ts >= newest - MARGIN}


def _fit(name: str, sig: str) -> Index:
    model, active, profile = SOURCES[name]
    stmt = sa.select(model).where(active).order_by(model.id)
    if model is Capability:
        stmt = stmt.options(selectinload(Capability.publications))
    rows = db.session.scalars(stmt).all()
    start = time.perf_counter()
    ids = np.array([r.id for r in rows], dtype=np.int64)
    matcher = Matcher().fit([profile(r) for r in rows]) if rows else None
    log.info("fitted %s index: %d profiles in %.2f s", name, len(rows), time.perf_counter() - start)
    newest = max((r.updated_at for r in rows), default=None)
    seen = _recent({r.id: r.updated_at for r in rows}, newest)
    base_id = index_store.save(name, sig, newest, matcher, ids, {"seen": seen})
    if base_id is None:
        base_id = index_store.latest_id(name)
    return Index(name, matcher, ids, sig, newest, seen, base_id)


def _from_store(row_id: int) -> Index | None:
    fit = index_store.load(row_id)
    if fit is None:
        return None
    seen = {int(k): v for k, v in fit.meta.get("seen", {}).items()}
    log.info("loaded stored %s index #%d: %d profiles", fit.name, fit.id, len(fit.ids))
    return Index(fit.name, fit.matcher, fit.ids, fit.signature, fit.newest, seen, fit.id)


def _fold(base: Index, sig: str, count: int, id_sum: int) -> Index | None:
    """``base`` with the profiles changed since it folded in; None when only a fit will do."""
    if base.matcher is None or base.newest is None:
        return None
    model, active, profile = SOURCES[base.name]
    recent = db.session.execute(
        sa.select(model.id, model.updated_at, active.label("live")).where(
            model.updated_at >= base.newest - MARGIN
        )
    ).all()
    changed = {i: bool(live) for i, ts, live in recent if base.seen.get(i) != ts.isoformat()}
    ids = base.ids.copy()
    position = dict(zip(ids.tolist(), range(len(ids)), strict=True))  # at C speed: 100,000 ids
    position.pop(-1, None)  # closed profiles' emptied positions
    live_ids = {i for i, live in changed.items() if live}
    if (
        len(position) - sum(i in position for i in changed) + len(live_ids) != count
        or sum(position) - sum(i for i in changed if i in position) + sum(live_ids) != id_sum
    ):
        # A row left without a newer updated_at (deleted, or edited on a clock far behind):
        # compare every active id once.
        active_ids = set(db.session.scalars(sa.select(model.id).where(active)))
        changed.update({i: False for i in position if i not in active_ids})
        changed.update({i: True for i in active_ids if i not in position})
        live_ids = {i for i, live in changed.items() if live}
    rows = _rows(base.name, live_ids) if live_ids else {}
    changes: dict[int, object] = {}
    added: list[int] = []
    for i in sorted(changed):
        p = position.get(i)
        if i in rows:
            if p is None:
                p = len(ids) + len(added)
                added.append(i)
            changes[p] = profile(rows[i])
        elif p is not None:
            changes[p] = None
            ids[p] = -1
    start = time.perf_counter()
    matcher = base.matcher.fold(changes) if changes else base.matcher
    ids = np.concatenate([ids, np.asarray(added, dtype=np.int64)])
    stamps = {i: ts for i, ts, _ in recent}
    newest = max([base.newest, *stamps.values()])
    seen = {**{k: v for k, v in base.seen.items() if k not in stamps}, **_recent(stamps, newest)}
    seen = {k: v for k, v in seen.items() if datetime.fromisoformat(v) >= newest - MARGIN}
    if changes:
        log.info(
            "folded %d change(s) into the %s index in %.0f ms; drift %s",
            len(changes),
            base.name,
            (time.perf_counter() - start) * 1000,
            folding.drift(matcher),
        )
    return Index(base.name, matcher, ids, sig, newest, seen, base.base_id)


def _ask_refit(index: Index) -> None:
    key = (index.name, index.base_id)
    if key not in _refits_asked:
        _refits_asked.add(key)
        outbox.enqueue(REFIT_TASK, name=index.name, base_id=index.base_id)


def _checked_within(name: str, max_age: float) -> bool:
    cached = _cache.get(name)
    return cached is not None and time.monotonic() - cached.checked < max_age


def get_many(names: tuple[str, ...], max_age: float = 0.0) -> tuple[Index, ...]:
    """:func:`get` of each index, the states of those to check read in one round trip: a
    matching task checks both, and the second query was one of its dozen statements."""
    with _lock:
        due = tuple(name for name in names if not _checked_within(name, max_age))
    states: dict[str, tuple] = {}
    if len(due) > 1:
        row = db.session.execute(states_query(due)).one()
        width = len(state_query(due[0]).selected_columns)
        states = {
            name: _read_state(*row[width * i : width * (i + 1)]) for i, name in enumerate(due)
        }
    return tuple(get(name, max_age=max_age, state=states.get(name)) for name in names)


def get(name: str, force: bool = False, max_age: float = 0.0, state: tuple | None = None) -> Index:
    """The current index: cached, else stored, with the changes since folded in.

    ``force`` fits afresh from every profile (and stores the fit). ``max_age``: the cached
    index as it is when it was checked against the database less than that many seconds ago
    (a run's chunks, one after the other: an edit made meanwhile is matched by its own task,
    which always checks). ``state``: the index's state as :func:`get_many` just read it.
    """
    with _lock:
        if not force and _checked_within(name, max_age):
            return _cache[name]
        cached = _cache.get(name)
        sig, count, id_sum, stored = state or _state(name)
        # Only the very fit this process holds may be folded on: a store that lost it (a
        # database reset or restored under a running process) must not have another corpus's
        # term weights folded into it.
        fresh = cached is not None and cached.base_id == stored
        if fresh and cached.signature == sig and not force:
            cached.checked = time.monotonic()
            return cached
        index = None
        if not force:
            base = cached if fresh else (_from_store(stored) if stored is not None else None)
            if base is not None:
                index = base if base.signature == sig else _fold(base, sig, count, id_sum)
        if index is None:
            index = _fit(name, sig)
        if index.matcher is not None and folding.needs_refit(index.matcher):
            _ask_refit(index)
        _cache[name] = index
        index.checked = time.monotonic()
        return index


def refit(name: str, base_id: int | None) -> str:
    """The background refit: fit and store, unless a newer fit was stored since it was asked.

    The profiles folded since the old fit are matched again: words the old vocabulary did not
    know could not score then, and now can.
    """
    if base_id is not None and (index_store.latest_id(name) or 0) > base_id:
        return "a newer fit is stored"
    since = db.session.scalar(sa.select(StoredIndex.newest).where(StoredIndex.id == base_id))
    index = get(name, force=True)
    again = []
    if since is not None:
        model, active, _ = SOURCES[name]
        again = db.session.scalars(
            sa.select(model.id).where(active, model.updated_at >= since - MARGIN)
        ).all()
        resource = RESOURCES[name]
        for item_id in again:
            outbox.enqueue(resource.match_task, **{resource.id_arg: item_id})
    return f"fitted {len(index.ids)} profiles, {len(again)} to match again"


def refresh(force: bool = False) -> None:
    for name in SOURCES:
        get(name, force=force)


def clear_cache() -> None:
    with _lock:
        _cache.clear()
        _refits_asked.clear()
    challenge_vectors.clear_cache()
