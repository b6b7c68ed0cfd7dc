"""Choose among engine variants by cross-validation over researchers of the gold set.

    .venv/bin/python bench/gold_cv.py                       # the candidates below
    .venv/bin/python bench/gold_cv.py --methods default,v1 --folds 5 --repeats 20

The gold development set (``../shared/data/gold-dev``, read at run time through the scorer in
``../shared/eval/gold_eval.py``, never copied) has 29 researchers. Tuning on all of them
overstates how a setting does on researchers it never saw. Here the researchers are split into
folds; for each fold the variant with the lowest loss on the *other* folds is chosen and its
loss on the held-out fold is recorded. Printed: each variant's loss on all researchers, the
cross-validated loss of the selection procedure, how often each variant was chosen, and the
per-fold win rate of each variant against the first one (the production default), which says
whether a difference is consistent or carried by a few researchers.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval" / "gold_eval.py"
CANDIDATES = "default,v1,min-df-2,norm-all,norm-min-df-3,top3-x,top8-x,top10-x,prefix-7"


def _scorer():
    spec = importlib.util.spec_from_file_location("gold_eval", EVAL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def costs(ge, method: str, data: str, samples) -> dict[str, np.ndarray]:
    """Per researcher: (cost, max cost) summed over nothing yet, one row per sample."""
    sys.path.insert(0, str(ROOT))
    from xeco.matching import Matcher

    ratings = ge.load_ratings(data)
    ids = sorted(ratings)
    per = {r: [] for r in ids}
    for i in samples:
        profiles, papers = ge.load_sample(data, i)
        m = Matcher(method=method).fit([profiles[r] for r in ids])
        wanted = sorted({p for r in ids for p in ratings[r]})
        S = m.score([papers[p] for p in wanted]).toarray()
        row = {p: k for k, p in enumerate(wanted)}
        scores = {r: {p: float(S[row[p], j]) for p in ratings[r]} for j, r in enumerate(ids)}
        for r, (cost, top, *_rest) in ge.pair_costs(scores, ratings).items():
            per[r].append((cost, top))
    return {r: np.array(v) for r, v in per.items()}


def loss(table: dict[str, np.ndarray], who) -> float:
    """The scorer's loss over researchers ``who``: pooled per sample, mean over samples."""
    a = np.sum([table[r] for r in who], axis=0)
    return float((a[:, 0] / a[:, 1]).mean())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--methods", default=CANDIDATES)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--datasets", default="1-10")
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "gold-dev"))
    a = ap.parse_args()
    ge = _scorer()
    lo, _, hi = a.datasets.partition("-")
    samples = range(int(lo), int(hi or lo) + 1)
    methods = a.methods.split(",")
    tables = {m: costs(ge, m, a.data, samples) for m in methods}
    people = sorted(next(iter(tables.values())))
    print(f"{len(people)} researchers, samples {a.datasets}, {a.folds} folds x {a.repeats}")
    for m in methods:
        print(f"  {m:<16} loss on all {loss(tables[m], people):.4f}")
    rng = random.Random(0)
    held_out, chosen = [], {m: 0 for m in methods}
    wins = {m: [] for m in methods}
    for _ in range(a.repeats):
        order = people[:]
        rng.shuffle(order)
        for f in range(a.folds):
            test = order[f :: a.folds]
            train = [r for r in order if r not in test]
            best = min(methods, key=lambda m: loss(tables[m], train))
            chosen[best] += 1
            held_out.append(loss(tables[best], test))
            base = loss(tables[methods[0]], test)
            for m in methods:
                wins[m].append(loss(tables[m], test) < base)
    n = a.folds * a.repeats
    print(f"cross-validated loss of choosing by training folds: {np.mean(held_out):.4f}")
    for m in methods:
        print(
            f"  {m:<16} chosen {chosen[m] / n:5.0%}  "
            f"beats {methods[0]} on held-out folds {np.mean(wins[m]):5.0%}"
        )


if __name__ == "__main__":
    main()
