"""All-pairs top-k, xeco against scikit-learn-style blocks, interleaved in one process.

On a shared machine the load changes between two engines run one after the other; here both
rank the same corpus in alternation (``--rounds`` times each) and the best round of each is
compared. Fits are done once, before the rounds.

    .venv/bin/python bench/bench_ranking.py [--n 100000] [--challenges 10000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

import corpus  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--challenges", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--k", type=int, default=10)
    args = ap.parse_args()
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import linear_kernel

    from xeco.matching import Matcher

    caps, chals = corpus.build(args.n, args.challenges)
    m = Matcher().fit(caps)
    vec = TfidfVectorizer(stop_words="english", sublinear_tf=True)
    p = vec.fit_transform([corpus.flatten(c) for c in caps])
    chal_text = [corpus.flatten(c) for c in chals]
    k = args.k

    def xeco() -> None:
        m.top_k(m.vectorize(chals), k)

    def sklearn() -> None:
        q = vec.transform(chal_text)
        for s in range(0, q.shape[0], 1000):
            scores = linear_kernel(q[s : s + 1000], p)
            top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
            order = np.argsort(-np.take_along_axis(scores, top, axis=1), axis=1)
            np.take_along_axis(top, order, axis=1)

    best = {"xeco": float("inf"), "sklearn": float("inf")}
    for r in range(args.rounds):
        for name, fn in (("xeco", xeco), ("sklearn", sklearn)):
            t = time.perf_counter()
            fn()
            took = time.perf_counter() - t
            best[name] = min(best[name], took)
            print(
                f"round {r + 1} {name:8s} {took:6.1f} s (load {os.getloadavg()[0]:.1f})", flush=True
            )
    print(
        f"best: xeco {best['xeco']:.1f} s, scikit-learn {best['sklearn']:.1f} s, "
        f"ratio {best['xeco'] / best['sklearn']:.2f}x ({args.n} x {args.challenges}, k={k})"
    )


if __name__ == "__main__":
    main()
