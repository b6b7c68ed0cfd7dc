"""A large synthetic corpus recombined from the real publications of the gold development set.

The gold data is read at run time from ``../shared/data/gold-dev`` (never copied here). Every
distinct paper (title + abstract) of the submissions and archives is split into sentences.
A text is then built around a *seed* paper so it keeps one topic, as real profiles do: its
title is the seed's title, and each body sentence comes from the seed paper with probability
0.6 and from a paper drawn uniformly at random otherwise. A seeded ``random.Random`` makes the
corpus identical between runs and between engines.

Capabilities: title, 2-5 summary sentences and 0-3 publications (title + 2-4 sentences each).
Challenges: title and 3-6 description sentences.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

GOLD = Path(__file__).resolve().parents[2] / "shared" / "data" / "gold-dev"
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")


def load_papers(gold: Path = GOLD) -> list[tuple[str, list[str]]]:
    """(title, sentences) of every distinct paper in the gold development set."""
    papers: dict[str, dict] = {}
    for sample in sorted((gold / "evaluation_datasets").iterdir()):
        with open(sample / "submissions.json") as fh:
            for paper in json.load(fh).values():
                papers[paper["id"]] = paper["content"]
        for archive in sorted((sample / "archives").iterdir()):
            for line in archive.read_text().splitlines():
                if line.strip():
                    paper = json.loads(line)
                    papers[paper["id"]] = paper["content"]
    out = []
    for key in sorted(papers):
        c = papers[key]
        sentences = [s.strip() for s in _SENTENCE.split(c.get("abstract") or "") if s.strip()]
        if c.get("title") and sentences:
            out.append((c["title"].strip(), sentences))
    if not out:
        raise SystemExit(f"no papers found under {gold}")
    return out


class Recombiner:
    def __init__(self, papers: list[tuple[str, list[str]]], seed: int) -> None:
        self.papers = papers
        self.rng = random.Random(seed)

    def body(self, seed_paper: int, n: int) -> str:
        own = self.papers[seed_paper][1]
        out = []
        for _ in range(n):
            if self.rng.random() < 0.6:
                out.append(self.rng.choice(own))
            else:
                out.append(self.rng.choice(self.rng.choice(self.papers)[1]))
        return " ".join(out)

    def capability(self) -> dict:
        r = self.rng
        seed = r.randrange(len(self.papers))
        pubs = []
        for _ in range(r.randint(0, 3)):
            p = r.randrange(len(self.papers)) if r.random() < 0.5 else seed
            pubs.append({"title": self.papers[p][0], "abstract": self.body(p, r.randint(2, 4))})
        return {
            "title": self.papers[seed][0],
            "summary": self.body(seed, r.randint(2, 5)),
            "publications": pubs,
        }

    def challenge(self) -> dict:
        seed = self.rng.randrange(len(self.papers))
        return {
            "title": self.papers[seed][0],
            "description": self.body(seed, self.rng.randint(3, 6)),
        }


def build(n_capabilities: int, n_challenges: int, seed: int = 20261125):
    """(capabilities, challenges) as the dicts the matching API accepts."""
    rec = Recombiner(load_papers(), seed)
    caps = [rec.capability() for _ in range(n_capabilities)]
    chals = [rec.challenge() for _ in range(n_challenges)]
    return caps, chals


def flatten(item: dict) -> str:
    """One plain string per item, the input plain scikit-learn TF-IDF gets."""
    parts = [item.get("title", ""), item.get("summary", ""), item.get("description", "")]
    for p in item.get("publications", []):
        parts += [p["title"], p["abstract"]]
    return "\n".join(x for x in parts if x)
