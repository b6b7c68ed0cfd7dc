"""The compiled postings walk against a dense sort of the same product."""

import numpy as np
import pytest
import scipy.sparse as sp

from tests.matching.test_matcher import dense_top_k
from xeco.matching import postings


def random_rows(n, v, density, rng, levels=4):
    # Few distinct weights, so that many scores tie exactly.
    m = sp.random(n, v, density=density, random_state=rng, format="csr", dtype=np.float32)
    m.data = np.ceil(m.data * levels).astype(np.float32) / levels
    return m


@pytest.mark.parametrize("n_threads", [1, 3])
@pytest.mark.parametrize(("k", "min_score"), [(5, 0.0), (40, 0.0), (5, 0.5)])
def test_equals_a_dense_sort_with_ties(n_threads, k, min_score):
    rng = np.random.default_rng(11)
    profiles = random_rows(30, 20, 0.3, rng)
    # More rows than one task takes, and some rows sharing no term with any profile.
    queries = random_rows(600, 20, 0.15, rng)
    dense = (queries @ profiles.T).toarray()
    idx, val = postings.top_k(queries, profiles.T.tocsr(), k, min_score, n_threads)
    want_idx = dense_top_k(dense, k, min_score)
    rows = np.arange(dense.shape[0])[:, None]
    want_val = np.where(want_idx >= 0, dense[rows, np.maximum(want_idx, 0)], 0)
    assert (idx == want_idx).all()
    assert np.allclose(val, want_val, atol=1e-6)
    assert (dense == 0).all(axis=1).any()  # the empty rows were exercised


def test_empty_inputs_give_padded_results():
    q = sp.csr_matrix((3, 4), dtype=np.float32)
    pt = sp.csr_matrix((4, 0), dtype=np.float32)
    idx, val = postings.top_k(q, pt, 2, 0.0, 2)
    assert idx.shape == (3, 2) and (idx == -1).all() and (val == 0).all()
    idx, _ = postings.top_k(q[:0], sp.csr_matrix((4, 5), dtype=np.float32), 2, 0.0, 2)
    assert idx.shape == (0, 2)
