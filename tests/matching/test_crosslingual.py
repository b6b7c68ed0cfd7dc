"""Chinese and English in one term space: the lexicon, scores across languages, explanations."""

import random

import numpy as np
import pytest

from tests.matching.test_matcher import dense_top_k
from xeco.matching import Matcher, lexicon
from xeco.matching.text import Analyzer, detect_language, has_chinese

PROFILES = [
    "Zebrafish models for drug cardiotoxicity screening: heart rate and arrhythmia imaging.",
    "印染废水的高级氧化与膜分离深度处理，降低色度和化学需氧量。",
    "Lithium battery recycling: hydrometallurgy to recover cathode metals.",
    "基于激光扫描的园林树木三维重建与测量。",
    "Welding of high-strength steel for car bodies.",
    "深度学习用于医学影像分割。",
]


@pytest.fixture(scope="module")
def m():
    return Matcher().fit(PROFILES)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("斑马鱼心脏毒性筛选", 0),  # Chinese challenge, English lab
        ("锂电池回收", 2),
        ("Advanced treatment of dyeing wastewater", 1),  # English challenge, Chinese lab
        ("Laser scanning of garden trees", 3),
        ("钢 焊接", 4),  # one-character words count: 钢 is steel
        ("Deep learning for medical image segmentation", 5),
        ("基于deep learning的医学影像", 5),  # mixed text
    ],
)
def test_each_language_finds_the_other(m, query, expected):
    idx, scores = m.top_k([query], k=1)
    assert idx[0, 0] == expected, (query, m.score([query]).toarray())
    assert scores[0, 0] > 0.1


def test_unrelated_texts_do_not_match_across_languages(m):
    scores = m.score(["锂电池回收"]).toarray()[0]
    assert scores[2] > 0
    assert scores[0] == scores[4] == 0  # zebrafish and welding share nothing with batteries


def test_a_word_of_several_senses_is_one_concept():
    a = Analyzer(academic_stop=False)
    weights = lexicon.concept("技术服务", a.english_terms)
    assert weights  # a compound the dictionary lacks still translates through its parts
    battery = lexicon.concept("电池", a.english_terms)
    assert max(battery, key=battery.get) == "batteri"
    assert sum(battery.values()) == pytest.approx(1.0)  # battery; cell: one concept
    # 随机 has two senses here: each gets half, so it cannot outweigh a precise word.
    assert sum(lexicon.concept("随机", a.english_terms).values()) == pytest.approx(1.0)


def test_the_glossary_wins_over_the_general_dictionary():
    a = Analyzer(academic_stop=False)
    assert "cisplatin" in lexicon.concept("顺铂", a.english_terms)
    assert lexicon.senses("锂电池")[0] == "lithium battery"


def test_filler_words_neither_match_nor_explain(m):
    a = Analyzer(academic_stop=False)
    for filler in ["用于", "技术", "建立", "研究", "方法"]:
        assert a.weighted(filler) == (), filler
    fitted = Matcher().fit(["用于建立研究方法的技术", "Research methods and technology"])
    assert fitted.score(["用于技术研究的方法"]).nnz == 0
    pairs = m.explain_pairs("深度学习医学影像分割技术方法", 5, PROFILES[5])
    assert not {"技术", "方法", "用于"} & {w for q, _w, _p in pairs for w in q.split()}


def test_explanations_pair_the_words_of_both_texts(m):
    pairs = m.explain_pairs("斑马鱼心脏毒性筛选", 0, PROFILES[0])
    as_dict = {q: p for q, _w, p in pairs}
    assert as_dict["斑马鱼"] == "zebrafish"
    assert "cardiotoxicity" in as_dict["心脏毒性"].split()  # 心脏 inside it joins "heart"
    pairs = m.explain_pairs("lithium-ion battery recycling", 2, PROFILES[2])
    assert {("lithium", "lithium"), ("battery", "battery")} <= {(q, p) for q, _w, p in pairs}
    back = Matcher().fit(["锂电池回收与正极材料再生"])
    pairs = back.explain_pairs("lithium battery recycling", 0, "锂电池回收与正极材料再生")
    assert ("lithium battery", "锂电池") in {(q, p) for q, _w, p in pairs}


def test_explanation_weights_are_the_score_less_filler(m):
    query = "Advanced treatment of dyeing wastewater"
    total = sum(w for _q, w, _p in m.explain_pairs(query, 1, PROFILES[1], n=100))
    assert 0 < total <= m.score([query]).toarray()[0, 1] + 1e-6
    assert sum(w for _t, w in m.contributions(query, 1)) == pytest.approx(
        m.score([query]).toarray()[0, 1], rel=1e-4
    )


def test_traditional_characters_translate_too():
    a = Analyzer(academic_stop=False)
    assert "batteri" in dict(a.weighted("電池"))


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("锂电池回收技术", "zh"),
        ("Lithium battery recycling", "en"),
        ("采用MRI和CT进行肿瘤检测", "zh"),
        ("基于AI的锂电池回收 with deep learning and computer vision models", "mixed"),
        ("", None),
        ("2026", None),
    ],
)
def test_language_is_detected_by_share_of_words(text, language):
    assert detect_language(text) == language


ZH_WORDS = [
    "锂电池",
    "回收",
    "正极",
    "石墨烯",
    "传感器",
    "蛋白质",
    "机器人",
    "视觉",
    "催化剂",
    "氢",
    "膜",
    "水质",
    "芯片",
    "激光",
]
EN_WORDS = [
    "lithium",
    "battery",
    "recycling",
    "cathode",
    "graphene",
    "sensor",
    "protein",
    "robot",
    "vision",
]


def mixed_texts(n, rng, lo=2, hi=9):
    """Chinese, English and a few mixed texts, from words with translations in both lists."""
    texts = []
    for i in range(n):
        words = ZH_WORDS if i % 3 == 0 else EN_WORDS if i % 3 == 1 else ZH_WORDS + EN_WORDS
        sep = "" if words is ZH_WORDS else " "
        texts.append(sep.join(rng.choice(words) for _ in range(rng.randint(lo, hi))))
    return texts


def latin_length(m, vector) -> float:
    """Length of a row's columns that are not Chinese-only, over its whole length."""
    dense = np.asarray(vector.toarray()).ravel()
    han = np.array([has_chinese(t) for t in m.terms_])
    return float(np.linalg.norm(dense[~han]) / np.linalg.norm(dense))


def test_a_pair_across_languages_is_scored_over_the_columns_both_fill(m):
    english, chinese = "Advanced treatment of dyeing wastewater", "印染废水处理"
    q_en, q_zh = m.vectorize([english]), m.vectorize([chinese])
    raw_en = float((q_en @ m.rows_[1].T).toarray()[0, 0])  # English query, Chinese profile
    raw_zh = float((q_zh @ m.rows_[1].T).toarray()[0, 0])  # Chinese with Chinese
    raw_x = float((q_zh @ m.rows_[0].T).toarray()[0, 0])  # Chinese query, English profile
    scores = m.score([english, chinese]).toarray()
    assert raw_en > 0 and latin_length(m, m.rows_[1]) < 0.9
    assert scores[0, 1] == pytest.approx(raw_en / latin_length(m, m.rows_[1]), rel=1e-4)
    assert scores[1, 1] == pytest.approx(raw_zh, rel=1e-5)  # within one language: unchanged
    assert scores[1, 0] == pytest.approx(raw_x / latin_length(m, q_zh), rel=1e-4, abs=1e-7)
    assert scores[0, 1] > 2 * raw_en  # the Chinese lab's plain cosine hid two thirds of it


def test_uncalibrated_method_keeps_the_plain_cosine():
    plain = Matcher(method="uncalibrated").fit(PROFILES)
    query = "Advanced treatment of dyeing wastewater"
    raw = float((plain.vectorize([query]) @ plain.rows_[1].T).toarray()[0, 0])
    assert plain.score([query]).toarray()[0, 1] == pytest.approx(raw, rel=1e-5)


@pytest.mark.parametrize("n_queries", [7, 90])  # the single-product path and the postings walk
def test_top_k_and_profile_scores_equal_the_calibrated_scores(n_queries):
    rng = random.Random(11)
    # Profiles with many documents go through the block ranker and its own calibration.
    profiles = mixed_texts(30, rng) + [mixed_texts(rng.randint(9, 12), rng) for _ in range(12)]
    fitted = Matcher().fit(profiles)
    assert not fitted.reach_.chinese.all() and fitted.reach_.chinese.any()
    queries = mixed_texts(n_queries, rng, 1, 5)
    expected = fitted.score(queries).toarray()
    idx, scores = fitted.top_k(queries, k=6, n_threads=2)
    assert (idx == dense_top_k(expected, 6)).all()
    got = np.where(idx >= 0, expected[np.arange(n_queries)[:, None], np.maximum(idx, 0)], 0)
    assert np.allclose(scores, got, atol=1e-6)
    for j in (0, 1, 2, 35):
        assert np.allclose(fitted.profile_scores(queries, j), expected[:, j], atol=1e-6)
    v = fitted.vectorize(queries)
    assert np.allclose(fitted.similarity(v[:3], v[3:5]), fitted.similarity(v[3:5], v[:3]).T)
