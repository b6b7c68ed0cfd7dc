"""Saving and loading a fitted :class:`~xeco.matching.Matcher`, and vocabulary drift.

The file is a NumPy ``.npz`` read with ``allow_pickle=False``: loading a model never executes
code from the file. ``FORMAT_VERSION`` changes whenever the fitted state changes meaning; a
file of another version is refused (refit rather than score with stale semantics).

Refit policy (used by the worker, see docs/matching.md): the vocabulary and idf are frozen at
fit time, so new challenges are scored without refitting. A refit is due when

- :func:`drift` of recent texts, the share of their terms unknown to the vocabulary, exceeds
  ``DRIFT_THRESHOLD`` (new subject matter the idf knows nothing about), or
- profiles were added, edited or removed since the fit (they must be re-vectorised anyway).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np
import scipy.sparse as sp

from xeco.matching.inputs import flat_text

if TYPE_CHECKING:
    from xeco.matching.matcher import Matcher

FORMAT = "xeco-matcher"
FORMAT_VERSION = 2
# In-domain queries run at about 0.1 unknown terms (names, one-off words; measured on the gold
# set, see docs/matching.md); a third of a recent batch signals a new field or language.
DRIFT_THRESHOLD = 0.33


def save(m: Matcher, path: str | Path | BinaryIO) -> None:
    m._check()
    meta = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "method": m.method,
        "config": m.config.as_dict(),
        "n_profiles": m.n_profiles_,
        "avg_len": m.avg_len_,
        "n_units": m.n_units_,
        "folded": [m.folded_, m.unknown_mass_, m.folded_mass_],
    }
    rows = m.rows_
    with nullcontext(path) if hasattr(path, "write") else open(path, "wb") as fh:
        np.savez(
            fh,
            meta=np.array(json.dumps(meta)),
            terms=np.array(m.terms_, dtype=str),
            surface=np.array(m.surface_, dtype=str),
            idf=m.idf_,
            data=rows.data,
            indices=rows.indices,
            indptr=rows.indptr,
            shape=np.array(rows.shape),
            extra_owner=m.extra_owner_,
            counted=m.counted_ if m.counted_ is not None else np.zeros(0, dtype=bool),
        )


def load(cls: type[Matcher], path: str | Path | BinaryIO) -> Matcher:
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        if meta.get("format") != FORMAT or meta.get("version") != FORMAT_VERSION:
            raise ValueError(
                f"{path}: not a {FORMAT} file of version {FORMAT_VERSION} "
                f"(found {meta.get('format')} {meta.get('version')}); refit and save again"
            )
        m = cls(method=meta["method"])
        if json.loads(json.dumps(m.config.as_dict())) != meta["config"]:
            raise ValueError(f"{path}: method {meta['method']!r} has changed since it was saved")
        m.terms_ = [str(t) for t in z["terms"]]
        m.surface_ = [str(t) for t in z["surface"]]
        m.vocabulary_ = {t: i for i, t in enumerate(m.terms_)}
        m.idf_ = z["idf"]
        m.counted_ = z["counted"] if len(z["counted"]) else None
        m.avg_len_ = float(meta["avg_len"])
        m.n_profiles_ = int(meta["n_profiles"])
        m.n_units_ = int(meta.get("n_units", m.n_profiles_))
        m.folded_, m.unknown_mass_, m.folded_mass_ = meta.get("folded", (0, 0.0, 0.0))
        rows = sp.csr_matrix(
            (z["data"], z["indices"], z["indptr"]), shape=tuple(int(x) for x in z["shape"])
        )
        m._set_rows(rows, z["extra_owner"].astype(np.int64))
    return m


def drift(m: Matcher, texts: Iterable[Any]) -> float:
    """Share of the texts' index terms (unigrams) that the fitted vocabulary does not know."""
    m._check()
    known = total = 0
    vocab = m.vocabulary_
    for item in texts:
        for w in m.analyzer.words_of(flat_text(item)):
            t = m.analyzer.term(w)
            if t is not None:
                total += 1
                known += t in vocab
    return 0.0 if total == 0 else 1.0 - known / total
