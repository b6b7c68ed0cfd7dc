"""Benchmark the matching engine against plain scikit-learn on a large recombined corpus.

    .venv/bin/python bench/bench_matching.py            # 100,000 x 100,000
    .venv/bin/python bench/bench_matching.py --quick    # 10,000 x 10,000
    .venv/bin/python bench/bench_matching.py --challenges 10000   # 100,000 x 10,000

Each engine runs in its own subprocess so its peak resident memory (``ru_maxrss``) is its own;
the corpus (see bench/corpus.py) is rebuilt identically in each from the same seed, and its
own footprint is reported separately. Printed per engine: fit time, all-challenges top-10 time,
peak RSS, and the latency of one new challenge against all capabilities (median, p99).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

import corpus  # noqa: E402


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _latency(fn, queries) -> dict:
    times = []
    for q in queries:
        t = time.perf_counter()
        fn(q)
        times.append(time.perf_counter() - t)
    ms = np.array(times) * 1000
    return {"median_ms": float(np.median(ms)), "p99_ms": float(np.percentile(ms, 99))}


def run_xeco(caps, chals, k, n_latency, method, all_pairs=True):
    from xeco.matching import Matcher

    out = {}
    t, cpu = time.perf_counter(), time.process_time()
    m = Matcher(method=method).fit(caps)
    out["fit_s"] = time.perf_counter() - t
    # CPU seconds of this process: a fairer comparison than wall time on a busy machine.
    out["fit_cpu_s"] = time.process_time() - cpu
    out["latency"] = _latency(lambda c: m.top_k([c], k), chals[:n_latency])
    out["n_terms"] = len(m.terms_)
    if not all_pairs:
        return out
    t = time.perf_counter()
    q = m.vectorize(chals)
    out["vectorize_s"] = time.perf_counter() - t
    t = time.perf_counter()
    idx, _ = m.top_k(q, k)
    out["topk_s"] = time.perf_counter() - t
    out["topk_total_s"] = out["vectorize_s"] + out["topk_s"]
    out["hits_per_row"] = float((idx >= 0).sum(axis=1).mean())
    return out


def run_sklearn(caps, chals, k, n_latency, block=1000):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import linear_kernel

    out = {}
    cap_text = [corpus.flatten(c) for c in caps]
    chal_text = [corpus.flatten(c) for c in chals]
    t, cpu = time.perf_counter(), time.process_time()
    vec = TfidfVectorizer(stop_words="english", sublinear_tf=True)
    p = vec.fit_transform(cap_text)
    out["fit_s"] = time.perf_counter() - t
    out["fit_cpu_s"] = time.process_time() - cpu
    t = time.perf_counter()
    q = vec.transform(chal_text)
    out["vectorize_s"] = time.perf_counter() - t
    t = time.perf_counter()
    for s in range(0, q.shape[0], block):
        scores = linear_kernel(q[s : s + block], p)
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(scores, top, axis=1), axis=1)
        np.take_along_axis(top, order, axis=1)
    out["topk_s"] = time.perf_counter() - t
    out["topk_total_s"] = out["vectorize_s"] + out["topk_s"]

    def one(text):
        s = linear_kernel(vec.transform([text]), p).ravel()
        top = np.argpartition(-s, k - 1)[:k]
        return top[np.argsort(-s[top])]

    out["latency"] = _latency(one, chal_text[:n_latency])
    out["n_terms"] = len(vec.vocabulary_)
    return out


def child(args) -> None:
    caps, chals = corpus.build(args.n, args.challenges or args.n)
    base = _rss_mb()
    if args.engine == "xeco":
        res = run_xeco(caps, chals, args.k, args.latency, args.method, not args.no_all_pairs)
    else:
        res = run_sklearn(caps, chals, args.k, args.latency)
    # Other work on the machine distorts timings; the 1-minute load average says how much.
    res.update(engine=args.engine, corpus_rss_mb=base, peak_rss_mb=_rss_mb())
    res["load_avg_1m"] = os.getloadavg()[0]
    print(json.dumps(res))


def report(res: dict) -> None:
    lat = res["latency"]
    pairs = (
        f"{res['topk_total_s']:7.1f} s (vectorise {res['vectorize_s']:.1f} + rank "
        f"{res['topk_s']:.1f})"
        if "topk_s" in res
        else "skipped"
    )
    print(
        f"{res['engine']:8s} fit {res['fit_s']:7.1f} s"
        + (f" (CPU {res['fit_cpu_s']:.1f} s)" if "fit_cpu_s" in res else "")
        + f" | top-{ARGS.k} all {pairs} | peak RSS "
        f"{res['peak_rss_mb']:6.0f} MB (corpus {res['corpus_rss_mb']:.0f}) | one challenge: "
        f"median {lat['median_ms']:.2f} ms, p99 {lat['p99_ms']:.2f} ms | terms {res['n_terms']}"
        f" | load {res['load_avg_1m']:.1f}",
        flush=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="capabilities and challenges")
    ap.add_argument("--challenges", type=int, help="challenges (default: --n)")
    ap.add_argument("--quick", action="store_true", help="--n 10000")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--latency", type=int, default=1000, help="single-challenge queries")
    ap.add_argument("--engines", default="xeco,sklearn")
    ap.add_argument("--method", default=None, help="Matcher(method=...)")
    ap.add_argument(
        "--no-all-pairs", action="store_true", help="only fit and one-challenge latency"
    )
    ap.add_argument("--engine", help=argparse.SUPPRESS)
    global ARGS
    ARGS = args = ap.parse_args()
    if args.quick:
        args.n = 10_000
    if args.engine:
        child(args)
        return
    n_chal = args.challenges or args.n
    print(f"corpus: {args.n} capabilities x {n_chal} challenges, k={args.k}", flush=True)
    results = {}
    for engine in args.engines.split(","):
        cmd = [sys.executable, __file__, "--engine", engine, "--n", str(args.n)]
        cmd += ["--k", str(args.k), "--latency", str(args.latency), "--challenges", str(n_chal)]
        if args.method:
            cmd += ["--method", args.method]
        if args.no_all_pairs:
            cmd.append("--no-all-pairs")
        proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
        results[engine] = json.loads(proc.stdout.strip().splitlines()[-1])
        report(results[engine])
    if {"xeco", "sklearn"} <= results.keys() and not args.no_all_pairs:
        x, s = results["xeco"], results["sklearn"]
        print(
            f"xeco/sklearn: fit {x['fit_s'] / s['fit_s']:.2f}x "
            f"(CPU {x['fit_cpu_s'] / s['fit_cpu_s']:.2f}x), "
            f"top-k time {x['topk_total_s'] / s['topk_total_s']:.2f}x, "
            f"median latency {x['latency']['median_ms'] / s['latency']['median_ms']:.2f}x"
        )


ARGS: argparse.Namespace

if __name__ == "__main__":
    main()
