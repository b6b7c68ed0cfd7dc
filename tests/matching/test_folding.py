"""Folding new and edited profiles into a fitted matcher without a refit."""

import random

import numpy as np
import pytest

from tests.matching.test_matcher import dense_top_k, random_texts
from xeco.matching import Matcher, folding


@pytest.fixture(scope="module")
def profiles():
    rng = random.Random(11)
    # Some profiles with many documents exercise the per-document rows.
    return random_texts(40, rng) + [random_texts(rng.randint(4, 12), rng) for _ in range(30)]


@pytest.fixture(scope="module")
def queries():
    return random_texts(40, random.Random(5), 1, 6)


def test_folding_a_profile_as_it_was_changes_no_score(profiles, queries):
    m = Matcher().fit(profiles)
    folded = m.fold({3: profiles[3], 55: profiles[55]})
    assert np.array_equal(folded.score(queries).toarray(), m.score(queries).toarray())
    assert folding.drift(folded)["folded"] == 2
    assert folding.drift(m)["folded"] == 0  # the original is left as it was


def test_new_profiles_take_the_next_positions_and_score_as_after_a_refit(profiles, queries):
    base = Matcher().fit(profiles[:60])
    folded = base.fold({p: profiles[p] for p in range(60, 70)})
    refit = Matcher().fit(profiles)
    assert folded.n_profiles == 70
    got, want = folded.score(queries).toarray(), refit.score(queries).toarray()
    # Same vocabulary here, so only the idf moved (a sixth more profiles).
    assert np.abs(got - want).max() < 0.05
    idx, _ = folded.top_k(queries, k=5)
    assert (idx == dense_top_k(got, 5)).all()
    assert (idx[:, 0] == refit.top_k(queries, k=5)[0][:, 0]).mean() >= 0.9


def test_an_emptied_profile_never_scores_and_an_edit_replaces_the_old_rows(profiles, queries):
    m = Matcher().fit(profiles)
    folded = m.fold({2: None, 45: "graphene sensor graphene"})
    s = folded.score([*queries, "graphene sensor"]).toarray()
    assert s[:, 2].max() == 0
    idx, _ = folded.top_k(["graphene sensor"], k=1)
    assert idx[0, 0] == 45
    # Profile 45 had many documents (extra rows); none of them is left.
    assert 45 not in folded.extra_owner_.tolist()


def test_unknown_terms_count_in_the_length_with_the_idf_of_a_rare_term(profiles):
    m = Matcher().fit(profiles)
    text = "battery xyzzyx plugh"
    folded = m.fold({0: text})
    refit = Matcher().fit([text, *profiles[1:]])
    got = folded.score(["battery"]).toarray()[0, 0]
    want = refit.score(["battery"]).toarray()[0, 0]
    assert got == pytest.approx(want, rel=0.05)
    assert folding.drift(folded)["unknown_share"] == pytest.approx(2 / 3)
    assert folding.needs_refit(folded)


def test_positions_of_new_profiles_must_follow_on(profiles):
    m = Matcher().fit(profiles)
    with pytest.raises(ValueError, match="positions 70, 71"):
        m.fold({72: "battery"})


def test_a_folded_matcher_saves_and_loads_with_its_drift(profiles, queries, tmp_path):
    folded = Matcher().fit(profiles).fold({70: "battery xyzzyx"})
    folded.save(tmp_path / "m.npz")
    loaded = Matcher.load(tmp_path / "m.npz")
    assert folding.drift(loaded) == folding.drift(folded)
    assert np.array_equal(loaded.score(queries).toarray(), folded.score(queries).toarray())


def test_profile_scores_are_one_column_of_score(profiles, queries):
    m = Matcher().fit(profiles)
    s = m.score(queries).toarray()
    for j in (0, 45, 69):  # one row, and profiles of many documents
        assert np.allclose(m.profile_scores(queries, j), s[:, j], atol=1e-6)


def test_spliced_postings_are_the_transposed_rows(profiles):
    m = Matcher().fit(profiles)
    folded = m.fold({0: None, 45: profiles[3], 50: "battery", 70: profiles[60], 71: None})
    diff = folded.rows_t_ - folded.rows_.T.tocsr()
    assert folded.rows_t_.shape == (len(m.terms_), folded.rows_.shape[0])
    assert diff.nnz == 0 or abs(diff).max() == 0
