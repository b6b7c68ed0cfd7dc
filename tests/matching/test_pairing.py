"""Every hard constraint of proposal building."""

from xeco.matching.pairing import (
    Candidate,
    ProgrammeInfo,
    eligible_programmes,
    pair_fingerprint,
    propose,
)

CHALLENGE_ORG = 1
FP = "challenge-fp"


def cap(id, org=10, capacity=1, fp="cap-fp", kind="researcher"):
    return Candidate(id=id, org_id=org, kind=kind, capacity_left=capacity, fingerprint=fp)


def ids(proposals):
    return [p.capability_id for p in proposals]


def test_ranked_best_first_with_ties_to_lower_id():
    out = propose(CHALLENGE_ORG, FP, [(cap(3), 0.5), (cap(1), 0.9), (cap(2), 0.5)], min_score=0.1)
    assert ids(out) == [1, 2, 3]


def test_same_organisation_is_excluded():
    out = propose(
        CHALLENGE_ORG, FP, [(cap(1, org=CHALLENGE_ORG), 0.9), (cap(2), 0.5)], min_score=0.1
    )
    assert ids(out) == [2]


def test_capability_at_capacity_is_excluded():
    out = propose(
        CHALLENGE_ORG, FP, [(cap(1, capacity=0), 0.9), (cap(2, capacity=2), 0.5)], min_score=0.1
    )
    assert ids(out) == [2]


def test_rejected_pair_with_unchanged_texts_is_excluded():
    rejected = {1: pair_fingerprint(FP, "cap-fp")}
    out = propose(
        CHALLENGE_ORG, FP, [(cap(1), 0.9), (cap(2), 0.5)], rejected=rejected, min_score=0.1
    )
    assert ids(out) == [2]


def test_rejected_pair_is_allowed_after_capability_text_changed():
    rejected = {1: pair_fingerprint(FP, "old-cap-fp")}
    out = propose(
        CHALLENGE_ORG, FP, [(cap(1, fp="new-cap-fp"), 0.9)], rejected=rejected, min_score=0.1
    )
    assert ids(out) == [1]


def test_rejected_pair_is_allowed_after_challenge_text_changed():
    rejected = {1: pair_fingerprint("old-challenge-fp", "cap-fp")}
    out = propose(
        CHALLENGE_ORG, "new-challenge-fp", [(cap(1), 0.9)], rejected=rejected, min_score=0.1
    )
    assert ids(out) == [1]


def test_min_score_keeps_junk_out():
    out = propose(CHALLENGE_ORG, FP, [(cap(1), 0.30), (cap(2), 0.29)], min_score=0.3)
    assert ids(out) == [1]


def test_k_limits_the_number_of_proposals():
    scored = [(cap(i), 1 - i / 100) for i in range(20)]
    assert ids(propose(CHALLENGE_ORG, FP, scored, k=3, min_score=0.1)) == [0, 1, 2]


def test_partners_respect_organisations_capacity_and_scores():
    institutes = [
        (cap(50, org=CHALLENGE_ORG, kind="institute"), 0.99),  # the challenge's own org
        (cap(51, org=10, kind="institute"), 0.98),  # the capability's own org
        (cap(52, org=20, capacity=0, kind="institute"), 0.97),  # full
        (cap(53, org=21, kind="institute"), 0.40),
        (cap(54, org=22, kind="institute"), 0.01),  # below the score floor
    ]
    programmes = [
        (ProgrammeInfo(id=7, org_id=CHALLENGE_ORG), 0.9),
        (ProgrammeInfo(id=8, org_id=30), 0.3),
    ]
    (p,) = propose(
        CHALLENGE_ORG, FP, [(cap(1, org=10), 0.8)], institutes, programmes, min_score=0.1
    )
    assert (p.institute_id, p.institute_score) == (53, 0.40)
    assert (p.programme_id, p.programme_score) == (8, 0.3)


def test_no_partner_when_none_qualifies():
    (p,) = propose(CHALLENGE_ORG, FP, [(cap(1), 0.8)], [(cap(60, org=40), 0.01)], [], min_score=0.1)
    assert p.institute_id is None and p.programme_id is None


def test_programme_eligibility_by_sector_and_region():
    progs = [
        ProgrammeInfo(1, 9, frozenset({"Energy"}), frozenset({"Guangdong"})),
        ProgrammeInfo(2, 9, frozenset({"energy", "health"}), frozenset()),
        ProgrammeInfo(3, 9, frozenset(), frozenset({"Jiangsu"})),
        ProgrammeInfo(4, 9),
    ]
    assert [p.id for p in eligible_programmes(progs, "energy", "guangdong")] == [1, 2, 4]
    assert [p.id for p in eligible_programmes(progs, "Health", "Jiangsu")] == [2, 3, 4]
    assert [p.id for p in eligible_programmes(progs, "textiles", "Guangdong")] == [4]
    assert [p.id for p in eligible_programmes(progs, None, None)] == [4]


def test_a_partner_must_pass_its_own_floor_and_the_relevance_check():
    institutes = [
        (cap(70, org=50, kind="institute"), 0.60),  # linked by filler only
        (cap(71, org=51, kind="institute"), 0.35),
        (cap(72, org=52, kind="institute"), 0.20),  # relevant, but under the partner floor
    ]
    programmes = [(ProgrammeInfo(id=9, org_id=60), 0.5), (ProgrammeInfo(id=10, org_id=61), 0.4)]
    asked = []

    def relevant(item) -> bool:
        asked.append(item.id)
        return item.id not in (70, 9)

    scored = [(cap(1, org=10), 0.8), (cap(2, org=11), 0.7)]
    first, second = propose(
        CHALLENGE_ORG,
        FP,
        scored,
        institutes,
        programmes,
        min_score=0.1,
        partner_min_score=0.3,
        partner_relevant=relevant,
    )
    assert (first.institute_id, first.programme_id) == (71, 10)
    assert (second.institute_id, second.programme_id) == (71, 10)
    assert sorted(asked) == [9, 10, 70, 71], "each partner is judged once, and 72 never"
    (alone,) = propose(
        CHALLENGE_ORG,
        FP,
        scored[:1],
        institutes[:1],
        programmes[:1],
        min_score=0.1,
        partner_relevant=relevant,
    )
    assert alone.institute_id is None and alone.programme_id is None
