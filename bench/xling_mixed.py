"""Across languages in one catalogue: Chinese and English passages fitted together.

``../shared/eval/xling_eval.py`` fits one language and queries with the other, so a query
only ever competes across languages. The service's catalogue holds both: an English challenge
is ranked against Chinese and English labs at once, and one score floor applies to both. Here
every passage of the development set is fitted in both languages, and each query (a passage
or its first sentence) looks for its translation among all other passages:

- MRR@10 of the translation (the query's own passage, in its own language, is left out), and
  same-article P@1 (the best hit, of either language, comes from the query's article);
- the share of translations, of same-article passages in the other language and of unrelated
  passages in either language that reach the floor (``--floor``, the service's 0.10).

The data stay where they are (``--data``); nothing of them is copied into the project.

    .venv/bin/python bench/xling_mixed.py [--method NAME] [--data DIR] [--floor 0.10]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xeco.matching import Matcher  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "xling-dev"


def figures(scores: np.ndarray, article: np.ndarray, lang: np.ndarray, q_lang: int, floor):
    n = len(article) // 2
    other = 1 - q_lang
    rr, p1, found, near, unrelated_x, unrelated_same = [], [], [], [], [], []
    for i in range(n):
        row = scores[i].copy()
        row[i + q_lang * n] = -1.0  # the query itself
        target = i + other * n
        order = np.argsort(-row, kind="stable")
        rank = int(np.flatnonzero(order == target)[0]) + 1
        rr.append(1.0 / rank if rank <= 10 else 0.0)
        p1.append(row[order[0]] > 0 and article[order[0]] == article[i])
        found.append(row[target] >= floor)
        same = article == article[i]
        near.extend(row[same & (lang == other) & (np.arange(2 * n) != target)] >= floor)
        unrelated_x.extend(row[~same & (lang == other)] >= floor)
        unrelated_same.extend(row[~same & (lang == q_lang)] >= floor)
    return {
        "mrr": np.mean(rr),
        "p1": np.mean(p1),
        "translation": np.mean(found),
        "same article": np.mean(near),
        "unrelated, other language": np.mean(unrelated_x),
        "unrelated, same language": np.mean(unrelated_same),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(DATA))
    ap.add_argument("--method")
    ap.add_argument("--floor", type=float, default=0.10)
    args = ap.parse_args()
    passages = json.loads((Path(args.data) / "passages.json").read_text())
    n = len(passages)
    article = np.array([p["article"] for p in passages] * 2)
    lang = np.repeat([0, 1], n)  # 0 English, 1 Chinese
    m = Matcher(method=args.method).fit([p["en"] for p in passages] + [p["zh"] for p in passages])
    print(f"{n} passages in each language, {len(set(article))} articles, method {args.method}")
    for key, q_lang in (("zh", 1), ("en", 0), ("zh_short", 1), ("en_short", 0)):
        scores = m.score([p[key] for p in passages]).toarray()
        f = figures(scores, article, lang, q_lang, args.floor)
        shares = "  ".join(f"{k} {v:.2f}" for k, v in f.items() if k not in ("mrr", "p1"))
        print(
            f"{key:<9} MRR@10 {f['mrr']:.3f}  same-article P@1 {f['p1']:.3f}  "
            f"at the floor {args.floor}: {shares}"
        )


if __name__ == "__main__":
    main()
