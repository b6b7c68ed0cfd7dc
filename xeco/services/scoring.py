"""Challenges scored in a batch: one ranking block, bulk reads, explanations per proposal.

Callers (:mod:`xeco.services.matching`) hand over open challenges and the current indexes;
:meth:`Batch.write` applies the constraints of :mod:`xeco.matching.pairing` and writes the
rows through :mod:`xeco.services.proposals`.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from xeco.extensions import db
from xeco.matching import explain, pairing
from xeco.models import Capability, CapabilityKind, Challenge, Match, MatchStatus, Programme
from xeco.services import proposals
from xeco.services.engine_inputs import (
    capability_profiles,
    challenge_query,
)
from xeco.services.proposals import Outcome
from xeco.services.sql import one_of

EXPLAIN_TERMS = 8
# How many more candidates than proposals to score, so constraints still leave k.
OVERSAMPLE = 5


def stored_term(challenge_words: str, weight: float, capability_words: str) -> list:
    """``[term, weight]``, or ``[term, weight, counterpart]`` when the capability's words differ."""
    entry: list = [challenge_words, round(float(weight), 5)]
    if capability_words != challenge_words:
        entry.append(capability_words)
    return entry


def capacity_left() -> sa.ColumnElement[int]:
    """A capability's capacity minus its active collaborations (matches both sides accepted),
    read with the capability's own row."""
    busy = (
        sa.select(sa.func.count())
        .where(Match.capability_id == Capability.id, Match.status == MatchStatus.ACCEPTED)
        .scalar_subquery()
    )
    return Capability.capacity - busy


class Batch:
    """Open challenges scored together: candidates, proposals and explanations."""

    def __init__(self, chs: list[Challenge], indexes: tuple) -> None:
        self.chs = chs
        self.caps_index, self.programmes_index = indexes
        self.queries = [challenge_query(c) for c in chs]
        matcher = self.caps_index.matcher
        self.fps = [matcher.fingerprint(q) if matcher else "" for q in self.queries]
        self.text_keys: dict[int, tuple] = {}
        self.texts: dict[int, dict] = {}  # capability texts read already (to fingerprint them)
        changed = {c.id: fp for c, fp in zip(chs, self.fps, strict=True) if c.fingerprint != fp}
        proposals.store_fingerprints(Challenge, changed)
        self.scored = self._rank()
        self.candidates = self._candidates({cid for row in self.scored for cid, _p, _s in row})
        self.programmes = ScoredProgrammes(self.programmes_index, self.queries)
        self.programme_vectors = None

    def _rank(self) -> list[list[tuple[int, int, float]]]:
        """Per challenge, ``(capability id, index position, score)`` best first."""
        index = self.caps_index
        if index.matcher is None:
            return [[] for _ in self.chs]
        k = current_app.config["MATCHING_TOP_K"] * OVERSAMPLE + 20
        self.vectors = index.matcher.vectorize(self.queries)
        positions, scores = index.matcher.top_k(self.vectors, k=min(k, len(index.ids)))
        ids = index.ids
        return [
            [(int(ids[p]), int(p), float(s)) for p, s in zip(ps, ss, strict=True) if p >= 0]
            for ps, ss in zip(positions.tolist(), scores.tolist(), strict=True)
        ]

    def _candidates(self, ids: set[int]) -> dict[int, pairing.Candidate]:
        if not ids:
            return {}
        rows = db.session.execute(
            sa.select(
                Capability.id,
                Capability.organisation_id,
                Capability.kind,
                Capability.fingerprint,
                Capability.updated_at,
                capacity_left(),
            ).where(one_of(Capability.id, ids))
        ).all()
        # Every edit of a capability's texts stamps it: the key of the words it is explained with.
        self.text_keys = {r[0]: (r[0], r[4]) for r in rows}
        missing = [r[0] for r in rows if r[3] is None]  # cleared on every edit of the capability
        fps = {r[0]: r[3] for r in rows}
        if missing:
            self.texts = capability_profiles(missing)
            fresh = {
                cid: self.caps_index.matcher.fingerprint(profile)
                for cid, profile in self.texts.items()
            }
            proposals.store_fingerprints(Capability, fresh)
            fps.update(fresh)
        return {
            cid: pairing.Candidate(
                id=cid,
                org_id=org_id,
                kind=CapabilityKind(kind).value,
                capacity_left=left,
                fingerprint=fps[cid],
            )
            for cid, org_id, kind, _fp, _ts, left in rows
        }

    def propose(self, i: int, stored: dict) -> list[pairing.Proposal]:
        ch = self.chs[i]
        scored_caps = [
            (self.candidates[cid], s) for cid, _p, s in self.scored[i] if cid in self.candidates
        ]
        institutes = [(c, s) for c, s in scored_caps if c.kind == CapabilityKind.INSTITUTE.value]
        rejected = {
            cid: m.fingerprint or ""
            for cid, m in stored.items()
            if m.status == MatchStatus.REJECTED
        }
        return pairing.propose(
            challenge_org_id=ch.organisation_id,
            challenge_fingerprint=self.fps[i],
            scored_capabilities=scored_caps,
            scored_institutes=institutes,
            scored_programmes=self.programmes.scored(i, ch),
            rejected=rejected,
            min_score=current_app.config["MATCHING_MIN_SCORE"],
            k=current_app.config["MATCHING_TOP_K"],
            partner_min_score=current_app.config["MATCHING_PARTNER_MIN_SCORE"],
            partner_relevant=lambda item: self._relevant(i, item),
        )

    def _relevant(self, i: int, item) -> bool:
        """A partner shares at least one term with the challenge that is not filler: one
        linked only by "low-cost" makes no sense to a person."""
        if isinstance(item, pairing.ProgrammeInfo):
            index = self.programmes_index
            if self.programme_vectors is None:
                self.programme_vectors = index.matcher.vectorize(self.queries)
            vectors = self.programme_vectors
        else:
            index, vectors = self.caps_index, self.vectors
        return explain.substantive(index.matcher, vectors[i], index.position(item.id))

    def write(self, stored: dict, out: Outcome) -> list[int]:
        """Write every challenge's proposals; returns the undecided rows to withdraw."""
        chosen = [self.propose(i, stored.get(c.id, {})) for i, c in enumerate(self.chs)]
        new, fresh, back, gone = [], [], [], []
        matcher = self.caps_index.matcher
        keys = [[self.text_keys[p.capability_id] for p in props] for props in chosen]
        # Only the texts of capabilities this fit has not explained yet are read.
        known = matcher.remembered({key for row in keys for key in row}) if matcher else set()
        unread = {p.capability_id for ps in chosen for p in ps} - {key[0] for key in known}
        profiles = {**self.texts, **capability_profiles(unread - self.texts.keys())}
        where = [{cid: p for cid, p, _s in row} for row in self.scored]
        explained = (
            matcher.pairs_batch(
                self.queries,
                [[where[i][p.capability_id] for p in props] for i, props in enumerate(chosen)],
                [[profiles.get(p.capability_id) for p in props] for props in chosen],
                n=EXPLAIN_TERMS,
                vectors=self.vectors,
                keys=keys,
            )
            if any(chosen)
            else [[] for _ in chosen]
        )
        for i, (ch, props) in enumerate(zip(self.chs, chosen, strict=True)):
            mine = stored.get(ch.id, {})
            explanations = explained[i]
            kept = []
            for prop, terms in zip(props, explanations, strict=True):
                if not terms:  # linked by filler alone ("low-cost"): no reason to accept
                    continue
                kept.append(prop.capability_id)
                values = dict(
                    score=prop.score,
                    institute_id=prop.institute_id,
                    programme_id=prop.programme_id,
                    institute_score=prop.institute_score,
                    programme_score=prop.programme_score,
                    explanation=[stored_term(*term) for term in terms],
                    fingerprint=pairing.pair_fingerprint(
                        self.fps[i], self.candidates[prop.capability_id].fingerprint
                    ),
                )
                row = mine.get(prop.capability_id)
                if row is None:
                    new.append(dict(challenge_id=ch.id, capability_id=prop.capability_id, **values))
                elif row.status == MatchStatus.PROPOSED:
                    fresh.append(dict(id=row.id, **values))
                elif row.status == MatchStatus.REJECTED:
                    # propose() let it through, so a text changed since the rejection.
                    back.append(dict(id=row.id, **values))
                else:
                    out.decided_kept += 1
            keep = set(kept)
            gone += [
                m.id
                for cid, m in mine.items()
                if m.status == MatchStatus.PROPOSED and cid not in keep
            ]
        proposals.insert_new(new)
        proposals.refresh(fresh)
        proposals.repropose(back)
        out.proposed += len(new) + len(back)
        out.refreshed += len(fresh)
        return gone


class ScoredProgrammes:
    """Programme scores of a batch's queries, in one product; eligibility per challenge."""

    def __init__(self, index, queries: list[dict]) -> None:
        self.index = index
        self.infos: list[pairing.ProgrammeInfo] = []
        if index.matcher is None:
            return
        rows = db.session.execute(
            sa.select(
                Programme.id, Programme.organisation_id, Programme.sectors, Programme.regions
            ).where(one_of(Programme.id, index.ids.tolist()))
        ).all()
        self.infos = [
            pairing.ProgrammeInfo(
                id=r[0], org_id=r[1], sectors=frozenset(r[2] or []), regions=frozenset(r[3] or [])
            )
            for r in rows
        ]
        self.position = {int(pid): p for p, pid in enumerate(index.ids.tolist())}
        self.scores = index.matcher.score(queries).tocsr() if self.infos else None
        self._eligible: dict[tuple, list] = {}

    def scored(self, i: int, ch: Challenge) -> list:
        if not self.infos:
            return []
        key = (ch.sector, ch.region)
        if key not in self._eligible:
            self._eligible[key] = pairing.eligible_programmes(self.infos, ch.sector, ch.region)
        eligible = self._eligible[key]
        if not eligible:
            return []
        row = self.scores[i].toarray().ravel()
        return [(p, float(row[self.position[p.id]])) for p in eligible]
