"""How well a proposal fits, in words a company reads instead of a raw score.

The thresholds live here alone: pages, the API and e-mails all ask :func:`fit_label`.
"""

from __future__ import annotations

# Lowest score of each label, best first; anything proposed below the last is "possible".
FIT_THRESHOLDS = (("strong", 0.35), ("good", 0.20))


def fit_label(score: float | None) -> str:
    for name, lowest in FIT_THRESHOLDS:
        if score is not None and score >= lowest:
            return name
    return "possible"
