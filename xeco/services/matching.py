"""From rows to proposals: score with the engine, apply the constraints, upsert matches.

Writes are idempotent: one row per challenge-capability pair (a unique constraint), scores of
undecided rows are refreshed, a decided row (approved, rejected and onward) is never touched,
and a rejected pair comes back only when one of its texts changed since the rejection.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

import numpy as np
import sqlalchemy as sa
from flask import current_app

from xeco.extensions import db
from xeco.matching import pairing
from xeco.models import (
    Capability,
    CapabilityKind,
    Challenge,
    ChallengeStatus,
    Match,
    MatchStatus,
    Programme,
)
from xeco.services import challenge_vectors, matching_index
from xeco.services.engine_inputs import capability_profile, challenge_query, programme_query

log = logging.getLogger(__name__)
EXPLAIN_TERMS = 8
# How many more candidates than proposals to score, so constraints still leave k.
OVERSAMPLE = 5


@dataclass
class Outcome:
    proposed: int = 0  # new rows, or rejected rows whose texts changed
    refreshed: int = 0  # undecided rows re-scored
    withdrawn: int = 0  # undecided rows that no longer qualify
    decided_kept: int = 0  # rows an officer decided, left as they are
    challenges: int = 0

    def as_dict(self) -> dict:
        return asdict(self)

    def add(self, other: Outcome) -> None:
        for key, value in asdict(other).items():
            setattr(self, key, getattr(self, key) + value)


def stored_term(challenge_words: str, weight: float, capability_words: str) -> list:
    """``[term, weight]``, or ``[term, weight, counterpart]`` when the capability's words differ."""
    entry: list = [challenge_words, round(float(weight), 5)]
    if capability_words != challenge_words:
        entry.append(capability_words)
    return entry


def capacity_left(capability_ids: list[int]) -> dict[int, int]:
    """Capacity minus active collaborations (matches both sides accepted)."""
    busy = dict(
        db.session.execute(
            sa.select(Match.capability_id, sa.func.count())
            .where(Match.capability_id.in_(capability_ids), Match.status == MatchStatus.ACCEPTED)
            .group_by(Match.capability_id)
        ).all()
    )
    caps = db.session.execute(
        sa.select(Capability.id, Capability.capacity).where(Capability.id.in_(capability_ids))
    ).all()
    return {cid: cap - busy.get(cid, 0) for cid, cap in caps}


def _scored(index, query, k: int) -> list[tuple[int, float]]:
    if index.matcher is None:
        return []
    positions, scores = index.matcher.top_k([query], k=min(k, len(index.ids)))
    return [
        (int(index.ids[p]), float(s))
        for p, s in zip(positions[0], scores[0], strict=True)
        if p >= 0
    ]


def current_indexes() -> tuple:
    """The capability and programme indexes, checked against the database once."""
    return matching_index.get("capabilities"), matching_index.get("programmes")


def match_challenge(challenge_id: int, indexes: tuple | None = None) -> Outcome:
    """Propose matches for one challenge.

    ``indexes`` (from :func:`current_indexes`) lets a run chunk check the indexes' signature
    once for all its challenges instead of once per challenge.
    """
    out = Outcome(challenges=1)
    ch = db.session.get(Challenge, challenge_id)
    if ch is None:
        return out
    existing = {
        m.capability_id: m
        for m in db.session.scalars(sa.select(Match).where(Match.challenge_id == ch.id))
    }
    if ch.status != ChallengeStatus.OPEN:
        out.withdrawn = _withdraw(existing.values(), keep=set())
        return out
    k = current_app.config["MATCHING_TOP_K"]
    min_score = current_app.config["MATCHING_MIN_SCORE"]
    caps_index, programmes_index = indexes or current_indexes()
    query = challenge_query(ch)
    ch_fp = caps_index.matcher.fingerprint(query) if caps_index.matcher else ""
    if ch.fingerprint != ch_fp:
        _store_fingerprint(Challenge, ch.id, ch_fp)
    scored = _scored(caps_index, query, k * OVERSAMPLE + 20)
    cap_rows = {
        c.id: c
        # Publications load lazily: only a capability whose fingerprint is not cached needs them.
        for c in db.session.scalars(
            sa.select(Capability).where(Capability.id.in_([cid for cid, _ in scored]))
        )
    }
    left = capacity_left(list(cap_rows))
    candidates = {}
    for cid, cap in cap_rows.items():
        fp = cap.fingerprint
        if fp is None:  # cleared on every edit of the capability
            fp = caps_index.matcher.fingerprint(capability_profile(cap))
            _store_fingerprint(Capability, cid, fp)
        candidates[cid] = pairing.Candidate(
            id=cid,
            org_id=cap.organisation_id,
            kind=cap.kind.value,
            capacity_left=left[cid],
            fingerprint=fp,
        )
    scored_caps = [(candidates[cid], s) for cid, s in scored if cid in candidates]
    institutes = [(c, s) for c, s in scored_caps if c.kind == CapabilityKind.INSTITUTE.value]
    rejected = {
        cid: m.fingerprint or "" for cid, m in existing.items() if m.status == MatchStatus.REJECTED
    }
    proposals = pairing.propose(
        challenge_org_id=ch.organisation_id,
        challenge_fingerprint=ch_fp,
        scored_capabilities=scored_caps,
        scored_institutes=institutes,
        scored_programmes=_scored_programmes(programmes_index, ch, query),
        rejected=rejected,
        min_score=min_score,
        k=k,
    )
    explanations = (
        caps_index.matcher.pairs_many(
            query,
            [caps_index.position(p.capability_id) for p in proposals],
            [capability_profile(cap_rows[p.capability_id]) for p in proposals],
            n=EXPLAIN_TERMS,
        )
        if proposals
        else []
    )
    for prop, terms in zip(proposals, explanations, strict=True):
        pair_fp = pairing.pair_fingerprint(ch_fp, candidates[prop.capability_id].fingerprint)
        explanation = [stored_term(*term) for term in terms]
        _upsert(ch.id, prop, pair_fp, explanation, existing, out)
    out.withdrawn += _withdraw(existing.values(), keep={p.capability_id for p in proposals})
    db.session.flush()
    return out


def _store_fingerprint(model, row_id: int, fp: str) -> None:
    """Cache a text fingerprint without bumping updated_at (the index signature reads it)."""
    db.session.execute(
        sa.update(model)
        .where(model.id == row_id)
        .values(fingerprint=fp, updated_at=model.updated_at)
        .execution_options(synchronize_session=False)
    )


def _scored_programmes(index, ch: Challenge, query: dict) -> list:
    if index.matcher is None:
        return []
    rows = db.session.execute(
        sa.select(
            Programme.id, Programme.organisation_id, Programme.sectors, Programme.regions
        ).where(Programme.id.in_(index.ids.tolist()))
    ).all()
    infos = [
        pairing.ProgrammeInfo(
            id=r[0], org_id=r[1], sectors=frozenset(r[2] or []), regions=frozenset(r[3] or [])
        )
        for r in rows
    ]
    eligible = pairing.eligible_programmes(infos, ch.sector, ch.region)
    if not eligible:
        return []
    # Eligibility filters before scoring: only eligible programmes' columns are read.
    positions = np.array([index.position(p.id) for p in eligible])
    scores = np.asarray(index.matcher.score([query]).toarray()[0, positions]).ravel()
    return list(zip(eligible, scores.tolist(), strict=True))


def _upsert(challenge_id, prop, pair_fp, explanation, existing, out: Outcome) -> None:
    values = dict(
        score=prop.score,
        institute_id=prop.institute_id,
        programme_id=prop.programme_id,
        institute_score=prop.institute_score,
        programme_score=prop.programme_score,
        explanation=explanation,
        fingerprint=pair_fp,
    )
    row = existing.get(prop.capability_id)
    if row is None:
        # Two workers may propose the same pair at once: the unique pair decides.
        try:
            with db.session.begin_nested():
                db.session.add(
                    Match(challenge_id=challenge_id, capability_id=prop.capability_id, **values)
                )
            out.proposed += 1
        except sa.exc.IntegrityError:
            log.info(
                "pair %s-%s proposed concurrently; kept the other", challenge_id, prop.capability_id
            )
        return
    if row.status == MatchStatus.PROPOSED:
        for key, value in values.items():
            setattr(row, key, value)
        out.refreshed += 1
    elif row.status == MatchStatus.REJECTED:
        # propose() let it through, so a text changed since the rejection.
        for key, value in values.items():
            setattr(row, key, value)
        row.status = MatchStatus.PROPOSED
        out.proposed += 1
    else:
        out.decided_kept += 1


def _withdraw(rows, keep: set[int]) -> int:
    gone = [m for m in rows if m.status == MatchStatus.PROPOSED and m.capability_id not in keep]
    for m in gone:
        db.session.delete(m)
    return len(gone)


def _challenges_near(query: dict, limit: int, capability_id: int | None = None) -> list[int]:
    """Open challenges that a changed profile may now fit, best first.

    A capability is scored as its folded index row (the score a challenge will see) and only
    challenges it could enter the top ``k`` of are kept: fewer than ``k`` matches yet, or a
    ``k``-th best below its score. A programme is scored as a query in the same space.
    """
    index = matching_index.get("capabilities")
    if index.matcher is None:
        return db.session.scalars(
            sa.select(Challenge.id).where(Challenge.status == ChallengeStatus.OPEN).limit(limit)
        ).all()
    position = index.position(capability_id) if capability_id is not None else None
    if capability_id is not None and position is None:
        return []  # closed: only the challenges it was proposed for are re-matched
    ids, vectors = challenge_vectors.open_challenges(index.matcher)
    if position is not None:
        scores = index.matcher.profile_scores(vectors, position)
    else:
        one = index.matcher.vectorize([query])
        scores = np.asarray((vectors @ one.T).toarray()).ravel()
    min_score = current_app.config["MATCHING_MIN_SCORE"]
    order = [int(i) for i in np.argsort(-scores, kind="stable") if scores[i] >= min_score]
    if position is None:
        return [int(ids[i]) for i in order[:limit]]
    k = current_app.config["MATCHING_TOP_K"]
    near = {int(ids[i]): float(scores[i]) for i in order[: limit * 20]}
    held = {
        cid: (n, low)
        for cid, n, low in db.session.execute(
            sa.select(Match.challenge_id, sa.func.count(), sa.func.min(Match.score))
            .where(Match.challenge_id.in_(list(near)))
            .group_by(Match.challenge_id)
        )
    }
    fits = [c for c, s in near.items() if c not in held or held[c][0] < k or s > held[c][1]]
    return fits[:limit]


def _rematch(proposed_via, item_id: int, query: dict, limit: int, capability: bool) -> Outcome:
    """Re-match the challenges a changed profile may now fit, and those it was proposed for.

    The latter are included so a closed or changed profile leaves no stale proposals.
    """
    previous = set(
        db.session.scalars(
            sa.select(Match.challenge_id).where(
                proposed_via == item_id, Match.status == MatchStatus.PROPOSED
            )
        )
    )
    near = _challenges_near(query, limit, item_id if capability else None)
    out = Outcome()
    indexes = current_indexes()
    for cid in sorted(previous | set(near)):
        out.add(match_challenge(cid, indexes))
    return out


def match_capability(capability_id: int, limit: int = 200) -> Outcome:
    cap = db.session.get(Capability, capability_id)
    if cap is None:
        return Outcome()
    return _rematch(Match.capability_id, cap.id, capability_profile(cap), limit, True)


def match_programme(programme_id: int, limit: int = 200) -> Outcome:
    prog = db.session.get(Programme, programme_id)
    if prog is None:
        return Outcome()
    return _rematch(Match.programme_id, prog.id, programme_query(prog), limit, False)


def refresh_indexes(force: bool = False) -> None:
    matching_index.refresh(force=force)
