"""From scored candidates to match proposals, under the hard constraints of the service.

The caller (a service) scores one challenge against capabilities, institutes and programmes
with :class:`~xeco.matching.Matcher`, filters programmes with :func:`eligible_programmes`,
and passes everything here with plain ids; nothing in this module reads a database.

Hard constraints, applied before any ranking:

- no pair inside one organisation: a capability, partner institute or programme of the
  challenge's own organisation is never proposed, nor a partner of the capability's own one;
- capacity: a capability or partner institute with ``capacity_left <= 0`` is not proposed;
- rejection: a capability whose pair was rejected is not proposed again while
  :func:`pair_fingerprint` of the two current texts equals the one stored at rejection (if
  either text changed, the pair is considered afresh);
- a minimum score keeps junk out (``min_score`` for capabilities, ``partner_min_score`` for
  institutes and programmes; when no partner qualifies the proposal has none);
- a partner must be relevant on its own merits: besides its floor, the caller's
  ``partner_relevant`` check (at least one substantive shared term) must accept it. A partner
  linked to the challenge only by filler such as "low-cost" makes no sense to a person.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    """A capability (or partner institute) that may be proposed.

    ``kind`` is ``"researcher"`` or ``"institute"``; ``capacity_left`` how many more
    collaborations it can take; ``fingerprint`` the current :meth:`Matcher.fingerprint` of its
    texts.
    """

    id: int
    org_id: int
    kind: str = "researcher"
    capacity_left: int = 1
    fingerprint: str = ""


@dataclass(frozen=True)
class ProgrammeInfo:
    """A funding programme; empty ``sectors`` / ``regions`` mean it accepts any."""

    id: int
    org_id: int
    sectors: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Proposal:
    """One proposed match, best first in :func:`propose`'s result.

    ``score`` is the capability's score (the ranking key); partner fields are ``None`` when
    no institute or programme qualified.
    """

    capability_id: int
    score: float
    institute_id: int | None = None
    programme_id: int | None = None
    institute_score: float | None = None
    programme_score: float | None = None


def _norm(value: str | None) -> str:
    return (value or "").strip().casefold()


def eligible_programmes(
    programmes: Iterable[ProgrammeInfo], sector: str | None, region: str | None
) -> list[ProgrammeInfo]:
    """Programmes open to a challenge of ``sector`` in ``region`` (case-insensitive).

    A programme with no sectors (regions) accepts every sector (region); a challenge with no
    sector (region) only fits programmes that accept any.
    """
    s, r = _norm(sector), _norm(region)
    out = []
    for p in programmes:
        sectors = {_norm(x) for x in p.sectors}
        regions = {_norm(x) for x in p.regions}
        if (not sectors or s in sectors) and (not regions or r in regions):
            out.append(p)
    return out


def pair_fingerprint(challenge_fingerprint: str, capability_fingerprint: str) -> str:
    """The value to store when an officer rejects a pair: changes when either text changes."""
    raw = f"{challenge_fingerprint}:{capability_fingerprint}".encode()
    return hashlib.blake2b(raw, digest_size=8).hexdigest()


def _best_partner(
    scored, excluded_orgs: set[int], floor: float, relevant: Callable, skip_id: int | None = None
):
    # Best first, so the (costlier) relevance check runs only until one partner passes.
    for item, score in sorted(scored, key=lambda s: (-s[1], s[0].id)):
        if score < floor:
            return None
        if item.org_id in excluded_orgs or item.id == skip_id:
            continue
        if isinstance(item, Candidate) and item.capacity_left <= 0:
            continue
        if relevant(item):
            return item, score
    return None


def propose(
    challenge_org_id: int,
    challenge_fingerprint: str,
    scored_capabilities: Sequence[tuple[Candidate, float]],
    scored_institutes: Sequence[tuple[Candidate, float]] = (),
    scored_programmes: Sequence[tuple[ProgrammeInfo, float]] = (),
    rejected: dict[int, str] | None = None,
    *,
    min_score: float,
    k: int = 10,
    partner_min_score: float | None = None,
    partner_relevant: Callable[[Candidate | ProgrammeInfo], bool] | None = None,
) -> list[Proposal]:
    """The best ``k`` proposals for one challenge, best first (ties: lower capability id).

    ``rejected`` maps capability id -> :func:`pair_fingerprint` stored at rejection.
    ``min_score`` has no default: the service's ``MATCHING_MIN_SCORE`` is the one source.
    ``scored_programmes`` should already be :func:`eligible_programmes`. Each proposal gets the
    best institute (other than the capability itself, from neither the challenge's nor the
    capability's organisation) and the best programme (from neither organisation), each
    only when it reaches ``partner_min_score`` and ``partner_relevant`` accepts it.
    """
    rejected = rejected or {}
    floor = min_score if partner_min_score is None else partner_min_score
    relevant = partner_relevant or (lambda _item: True)
    verdicts: dict[tuple[type, int], bool] = {}

    def once(item) -> bool:  # a partner is judged once per challenge, not once per proposal
        key = (type(item), item.id)
        if key not in verdicts:
            verdicts[key] = relevant(item)
        return verdicts[key]

    chosen: list[tuple[Candidate, float]] = []
    for cap, score in scored_capabilities:
        if score < min_score or cap.org_id == challenge_org_id or cap.capacity_left <= 0:
            continue
        stored = rejected.get(cap.id)
        if stored is not None and stored == pair_fingerprint(
            challenge_fingerprint, cap.fingerprint
        ):
            continue
        chosen.append((cap, score))
    chosen.sort(key=lambda cs: (-cs[1], cs[0].id))
    out = []
    for cap, score in chosen[:k]:
        orgs = {challenge_org_id, cap.org_id}
        inst = _best_partner(scored_institutes, orgs, floor, once, skip_id=cap.id)
        prog = _best_partner(scored_programmes, orgs, floor, once)
        out.append(
            Proposal(
                capability_id=cap.id,
                score=float(score),
                institute_id=inst[0].id if inst else None,
                programme_id=prog[0].id if prog else None,
                institute_score=float(inst[1]) if inst else None,
                programme_score=float(prog[1]) if prog else None,
            )
        )
    return out
