"""Text analysis: English, Chinese, mixed text and normalisation."""

from xeco.matching import Matcher
from xeco.matching.chinese import domain_terms, segment
from xeco.matching.text import Analyzer, fingerprint, normalise, words


def test_english_is_lowercased_stemmed_and_stripped_of_stop_words():
    terms = Analyzer().terms("The Networks are Learning from the Batteries")
    assert terms == ["network", "learn", "batteri"]


def test_english_without_stemming_keeps_words():
    assert Analyzer(stem=False).terms("Networks learning") == ["networks", "learning"]


def test_chinese_is_segmented_with_the_domain_dictionary():
    got = words("锂电池和碳中和")
    assert "锂电池" in got
    assert "碳中和" in got


def test_domain_dictionary_words_survive_segmentation():
    for term in ["人工智能", "机器学习", "新能源", "生物医药", "半导体", "智能制造"]:
        assert term in domain_terms()
        assert term in segment(term)


def test_chinese_stop_words_and_single_characters_are_dropped():
    terms = Analyzer().terms("我们希望在工厂中使用机器人")
    assert "机器人" in terms
    assert not {"我们", "希望", "在", "中", "使用"} & set(terms)
    assert all(len(t) > 1 for t in terms)


def test_mixed_text_yields_both_languages_in_order():
    terms = Analyzer().terms("基于Deep Learning的锂电池 health estimation")
    assert terms.index("deep") < terms.index("锂电池") < terms.index("health")
    assert "learn" in terms


def test_full_width_and_accents_are_normalised():
    assert normalise("ＬＩＴＨＩＵＭ　Ｂａｔｔｅｒｙ") == "lithium battery"
    assert normalise("Café Naïve RÉSUMÉ") == "cafe naive resume"
    assert Analyzer().terms("ＧＲＡＰＨＥＮＥ") == Analyzer().terms("graphene")
    # Full-width Chinese punctuation separates words like ASCII punctuation does.
    assert words("电池，材料") == words("电池, 材料")


def test_fingerprint_ignores_case_and_spacing_but_not_words():
    assert fingerprint("Lithium  Battery\n") == fingerprint("lithium battery")
    assert fingerprint("lithium battery") != fingerprint("sodium battery")


def test_matcher_fingerprint_of_dicts_ignores_keyword_order():
    a = {"title": "Batteries", "keywords": ["a", "b"], "description": "x"}
    b = {"title": "Batteries", "keywords": ["b", "a"], "description": "x"}
    c = {"title": "Batteries", "keywords": ["b", "a"], "description": "y"}
    assert Matcher.fingerprint(a) == Matcher.fingerprint(b) != Matcher.fingerprint(c)
