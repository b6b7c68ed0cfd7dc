"""xeco's matching engine: texts in, scores out (no Flask, SQL or Celery here).

>>> m = Matcher().fit(["lithium battery recycling", "protein folding with deep learning"])
>>> idx, scores = m.top_k(["battery materials"], k=1)
>>> int(idx[0, 0])
0

See docs/matching.md for the design and the measurements behind the defaults.
"""

from xeco.matching.matcher import Matcher, NotFittedError
from xeco.matching.methods import METHODS, Config
from xeco.matching.pairing import (
    Candidate,
    ProgrammeInfo,
    Proposal,
    eligible_programmes,
    pair_fingerprint,
    propose,
)

__all__ = [
    "METHODS",
    "Candidate",
    "Config",
    "Matcher",
    "NotFittedError",
    "ProgrammeInfo",
    "Proposal",
    "eligible_programmes",
    "pair_fingerprint",
    "propose",
]
