"""Scores, top-k, explanations, persistence and drift of the Matcher."""

import random

import numpy as np
import pytest

from xeco.matching import METHODS, Matcher, NotFittedError
from xeco.matching.text import has_chinese

_VOCAB = (
    "battery lithium cathode anode graphene sensor protein folding neural network robot vision "
    "grasping solar cell catalyst hydrogen polymer membrane water quality genome vaccine "
    "antibody chip wafer lithography quantum photon laser fiber concrete steel bridge"
)
WORDS = _VOCAB.split()


def random_texts(n, rng, lo=3, hi=12):
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi))) for _ in range(n)]


def dense_top_k(scores, k, min_score=0.0):
    idx = np.full((scores.shape[0], k), -1)
    for r, row in enumerate(scores):
        order = sorted(
            (c for c in range(len(row)) if row[c] > min_score), key=lambda c: (-row[c], c)
        )
        idx[r, : len(order[:k])] = order[:k]
    return idx


def test_english_query_ranks_the_matching_profile_first(fitted):
    idx, scores = fitted.top_k(["recycling of lithium battery cathodes"], k=3)
    assert idx[0, 0] == 0
    assert scores[0, 0] > 0.3


def test_chinese_and_mixed_queries_find_both_languages_battery_profiles(fitted):
    idx, _ = fitted.top_k(["新能源汽车的锂电池回收", "锂电池 recycling"], k=2)
    assert idx[0, 0] == 2  # Chinese with Chinese: both the words and the concept agree
    assert set(idx[1].tolist()) == {0, 2}  # mixed text finds the English and the Chinese one


def test_score_shape_and_range(fitted):
    s = fitted.score(["protein structure", "graphene", "nothing in common xyzzy"]).toarray()
    assert s.shape == (3, 5)
    assert s.min() >= 0 and s.max() <= 1 + 1e-6
    assert s[2].sum() == 0


def test_vectorize_rows_are_unit_length(fitted):
    q = fitted.vectorize(["protein folding", "锂电池材料"])
    assert np.allclose(np.sqrt(q.multiply(q).sum(axis=1)).A.ravel(), 1.0, atol=1e-6)


@pytest.mark.parametrize("method", ["default", "centroid", "concat", "top3"])
@pytest.mark.parametrize("n_queries", [7, 90])  # the single-product path and the block ranker
def test_top_k_equals_dense_sort(method, n_queries):
    rng = random.Random(7)
    # Some profiles with many documents exercise the per-document top-m rows.
    profiles = random_texts(30, rng) + [random_texts(rng.randint(4, 9), rng) for _ in range(30)]
    m = Matcher(method=method).fit(profiles)
    queries = random_texts(n_queries, rng, 1, 6)
    expected = m.score(queries).toarray()
    idx, scores = m.top_k(queries, k=8, block_rows=16, n_threads=2)
    assert (idx == dense_top_k(expected, 8)).all()
    got = np.where(idx >= 0, expected[np.arange(n_queries)[:, None], np.maximum(idx, 0)], 0)
    assert np.allclose(scores, got, atol=1e-6)


def test_top_k_pads_when_fewer_profiles_than_k(fitted):
    idx, scores = fitted.top_k(["protein"], k=10)
    assert idx.shape == (1, 10)
    assert (idx[0, 1:] == -1).all() and (scores[0, 1:] == 0).all()


def test_top_k_min_score_filters(fitted):
    idx, scores = fitted.top_k(["protein structure battery"], k=5, min_score=0.2)
    assert (scores[idx >= 0] > 0.2).all()


def test_explain_english_uses_readable_words_and_sums_to_score(fitted):
    query = "Learning how proteins fold with networks"
    terms = fitted.explain(query, 1, n=50)
    words = [t for t, _ in terms]
    assert "proteins" in words and "networks" in words
    assert "protein" not in words  # a surface word, not the bare stem
    assert [w for _, w in terms] == sorted((w for _, w in terms), reverse=True)
    assert sum(w for _, w in terms) == pytest.approx(fitted.score([query])[0, 1], rel=1e-5)


def test_explain_chinese_query_gives_chinese_terms(fitted):
    query = "新能源汽车的锂电池回收"
    terms = fitted.explain(query, 2, n=3)
    assert len(terms) == 3
    assert all(has_chinese(t) for t, _ in terms)
    assert "锂电池" in [t for t, _ in fitted.explain(query, 2)]


def test_explain_with_top_m_documents_sums_to_score():
    rng = random.Random(3)
    m = Matcher().fit([random_texts(10, rng) for _ in range(25)])
    query = "battery lithium protein robot"
    full = m.explain(query, 4, n=1000)
    assert sum(w for _, w in full) == pytest.approx(m.score([query])[0, 4], rel=1e-5)


def test_save_load_roundtrip_gives_identical_scores(fitted, tmp_path):
    path = tmp_path / "m.npz"
    fitted.save(path)
    loaded = Matcher.load(path)
    queries = ["protein folding", "锂电池回收", "robot vision 智能制造"]
    assert (loaded.score(queries) != fitted.score(queries)).nnz == 0
    assert loaded.explain(queries[1], 2) == fitted.explain(queries[1], 2)


def test_load_refuses_other_versions(fitted, tmp_path):
    path = tmp_path / "m.npz"
    fitted.save(path)
    with np.load(path) as z:
        arrays = dict(z)
    arrays["meta"] = np.array(str(arrays["meta"]).replace('"version": 2', '"version": 0'))
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="version"):
        Matcher.load(path)


def test_drift_and_needs_refit(fitted):
    assert fitted.drift(["lithium battery recycling"]) == 0.0
    assert fitted.drift(["lithium battery teleportation"]) == pytest.approx(1 / 3)
    assert not fitted.needs_refit(["graphene sensors", "protein structure"])
    assert fitted.needs_refit(["quantum teleportation of photons"])
    assert fitted.drift(["量子通信"]) == 1.0


def test_unfitted_matcher_raises():
    with pytest.raises(NotFittedError):
        Matcher().score(["x"])


def test_unknown_method_is_rejected():
    with pytest.raises(ValueError, match="unknown matching method"):
        Matcher(method="nope")


def test_every_named_method_fits_and_scores():
    for name in METHODS:
        m = Matcher(method=name).fit(["battery cathode", ["protein folding", "neural protein"]])
        assert m.score(["battery"]).shape == (1, 2)


def test_explain_many_equals_one_by_one():
    from xeco.matching import Matcher

    m = Matcher().fit(
        ["lithium battery electrolyte", "固态电解质 锂电池", "battery 电池 recycling"]
    )
    query = "solid electrolyte for the lithium battery 固态电解质"
    assert m.explain_many(query, [0, 1, 2], n=5) == [m.explain(query, j, n=5) for j in range(3)]


def test_explanations_remember_profile_words_by_key():
    from tests.matching.conftest import PROFILES

    m = Matcher().fit(PROFILES)  # its own fit: nothing remembered yet
    query = ["lithium battery recycling", "protein folding networks"]
    js = [[0, 2], [1]]
    profiles = [[PROFILES[0], PROFILES[2]], [PROFILES[1]]]
    keys = [[("cap", 0), ("cap", 2)], [("cap", 1)]]
    assert m.remembered([("cap", 0)]) == set()
    with pytest.raises(KeyError):
        m.pairs_batch(query, js, None, keys=keys)
    expected = m.pairs_batch(query, js, profiles)
    assert m.pairs_batch(query, js, profiles, keys=keys) == expected
    assert m.remembered([("cap", 0), ("cap", 1), ("cap", 9)]) == {("cap", 0), ("cap", 1)}
    # A fold keeps the words (same vocabulary); the texts need not be given again.
    folded = m.fold({len(PROFILES): "graphene sensor arrays"})
    assert folded.pairs_batch(query, js, None, keys=keys) == expected


def test_an_explanation_names_a_column_by_the_text_s_most_frequent_word(fitted):
    from xeco.matching.explain import word_of_column

    text = "Proteins protein proteins: folding, folded and fold networks network"
    got = word_of_column(fitted, text)
    # Most frequent form first, then the longer, then the first seen; in the text's order.
    assert [w for w in got.values() if w.startswith(("prot", "fold", "netw"))] == [
        "proteins",
        "folding",
        "networks",
    ]
    assert word_of_column(fitted, text + " 蛋白质") == {
        **got,
        **{j: w for j, w in word_of_column(fitted, text + " 蛋白质").items() if j not in got},
    }
