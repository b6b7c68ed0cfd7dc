"""The pure helpers: highlighting, the BibTeX and CSV readers, safe redirects."""

from __future__ import annotations

from xeco.web import bibtex, publications
from xeco.web.highlight import highlight
from xeco.web.views.helpers import safe_next


def test_highlight_escapes_and_marks_chinese_substrings():
    out = str(highlight("<b>锂金属负极</b> and lithium metal", [["金属", 0.2], ["Lithium", 0.1]]))
    assert out.startswith("&lt;b&gt;锂<mark")
    assert '<mark class="hl hl-1" data-term="金属">金属</mark>' in out
    assert 'data-term="Lithium">lithium</mark>' in out


def test_highlight_keeps_latin_terms_to_word_starts():
    out = str(highlight("detection undetected", [["detect", 1.0]]))
    assert out.count("<mark") == 1 and ">detection</mark>" in out


def test_bibtex_reader_is_tolerant():
    text = """
    @string{ieee = "IEEE"}
    @inproceedings{a, title="Quoted {Title}", year={2021}, booktitle = {Conf}}
    @article{broken, title = {never closed
    """
    entries, problems = bibtex.read(text)
    assert [e["title"] for e in entries] == ["Quoted Title"]
    assert problems and "line" in problems[0]


def test_lines_take_year_and_doi_in_any_order():
    items, problems = publications.from_lines(
        "A | 10.1109/TII.2019.2956078\nB | doi:10.1/x | 2020\n | 2020"
    )
    assert [(i["title"], i["year"], i["doi"]) for i in items] == [
        ("A", None, "10.1109/TII.2019.2956078"),
        ("B", 2020, None),
    ]
    assert problems == ["line 3: no title"]


def test_csv_without_a_header_and_duplicates_merge():
    items, _ = publications.from_csv("Paper one,2019,10.1000/one\nPaper two,2020\n")
    assert items[0] == {"title": "Paper one", "year": 2019, "doi": "10.1000/one"}
    merged = publications.merge(items, [{"title": "paper ONE", "year": None, "doi": None}])
    assert len(merged) == len(items)


def test_only_local_paths_are_followed():
    assert safe_next("/review?page=2", "/home") == "/review?page=2"
    for bad in ("https://evil.example/", "//evil.example", "/\\evil", None, ""):
        assert safe_next(bad, "/home") == "/home"


def test_a_csv_cell_over_the_csv_limit_is_a_problem_not_an_error():
    items, problems = publications.from_upload("p.csv", b"title\nok\n" + b"x" * 200_000)
    assert [i["title"] for i in items] == ["ok"]
    assert problems and "field larger than field limit" in problems[0]


def test_hostile_csv_uploads_are_read_in_bounded_time():
    import time

    size = 512 * 1024
    for unit in ('"', ",", ';"a"', "\n", "\r", "a,2020,10.1/x\n", "\t"):
        data = (unit * (size // len(unit)))[:size].encode()
        start = time.thread_time()
        items, _ = publications.from_upload("p.csv", data)
        assert time.thread_time() - start < 0.5, repr(unit)
        assert len(items) <= publications.MAX_ROWS


def test_hostile_pastes_are_recognised_in_bounded_time():
    import time

    size = 512 * 1024
    for unit in ("\n", "\r", " ", "\t", "@", "@a", " @ a ", ",", "title,"):
        text = (unit * (size // len(unit)))[:size]
        start = time.thread_time()
        publications.from_paste(text)
        assert time.thread_time() - start < 0.5, repr(unit)
