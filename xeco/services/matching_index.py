"""Fitted matchers for the worker: built once, cached in the process, saved to disk.

An index is a fitted :class:`~xeco.matching.Matcher` over the active capabilities (or the
open programmes) plus the row ids in fit order. Its signature (count, id sum, newest
``updated_at``) changes whenever a profile is added, edited or closed; a task that finds the
signature changed refits, so new challenges are scored against a fitted index and only
profile changes pay for a fit. The index is saved under ``instance/matcher`` so a restarted
worker, or a second worker process on the same host, loads it instead of refitting.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from xeco.extensions import db
from xeco.matching import Matcher
from xeco.models import Capability, CapabilityStatus, Programme, ProgrammeStatus
from xeco.services.engine_inputs import capability_profile, programme_profile

log = logging.getLogger(__name__)


@dataclass
class Index:
    name: str
    matcher: Matcher | None
    ids: np.ndarray
    signature: str

    def position(self, item_id: int) -> int | None:
        hits = np.flatnonzero(self.ids == item_id)
        return int(hits[0]) if hits.size else None


SOURCES = {
    "capabilities": (Capability, Capability.status == CapabilityStatus.ACTIVE, capability_profile),
    "programmes": (Programme, Programme.status == ProgrammeStatus.OPEN, programme_profile),
}
_cache: dict[str, Index] = {}
_lock = threading.Lock()


def signature(name: str) -> str:
    model, active, _ = SOURCES[name]
    count, id_sum, newest = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(model.id), 0),
            sa.func.max(model.updated_at),
        ).where(active)
    ).one()
    return f"{count}:{id_sum}:{newest.isoformat() if newest else '-'}"


def _folder() -> Path:
    path = Path(current_app.config["INSTANCE_PATH"]) / "matcher"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _load_saved(name: str, sig: str) -> Index | None:
    meta_path, model_path = _folder() / f"{name}.json", _folder() / f"{name}.npz"
    try:
        meta = json.loads(meta_path.read_text())
        if meta["signature"] != sig:
            return None
        ids = np.asarray(meta["ids"], dtype=np.int64)
        matcher = Matcher.load(model_path) if len(ids) else None
    except (OSError, ValueError, KeyError):
        return None
    return Index(name, matcher, ids, sig)


def _save(index: Index) -> None:
    folder = _folder()
    if index.matcher is not None:
        tmp = folder / f"{index.name}.npz.tmp"
        index.matcher.save(tmp)
        tmp.replace(folder / f"{index.name}.npz")
    meta = {"signature": index.signature, "ids": index.ids.tolist()}
    tmp = folder / f"{index.name}.json.tmp"
    tmp.write_text(json.dumps(meta))
    tmp.replace(folder / f"{index.name}.json")


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
    index = Index(name, matcher, ids, sig)
    _save(index)
    return index


def get(name: str, force: bool = False) -> Index:
    """The current index; refits when the profiles changed since the cached one."""
    with _lock:
        sig = signature(name)
        cached = _cache.get(name)
        if cached is not None and cached.signature == sig and not force:
            return cached
        index = None if force else _load_saved(name, sig)
        if index is None:
            index = _fit(name, sig)
        _cache[name] = index
        return index


def refresh(force: bool = False) -> None:
    for name in SOURCES:
        get(name, force=force)


def clear_cache() -> None:
    with _lock:
        _cache.clear()
