"""Chinese and English in one term space: the lexicon, scores across languages, explanations."""

import pytest

from xeco.matching import Matcher, lexicon
from xeco.matching.text import Analyzer, detect_language

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
