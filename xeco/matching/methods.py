"""Named engine configurations: the production default and the variants measured against it.

Every name here can be passed as ``Matcher(method=NAME)`` and scored with
the development sets' scorers with ``--method NAME``; docs/matching.md reports their figures.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace


@dataclass(frozen=True)
class Config:
    """How texts become vectors and how a profile's documents are combined.

    Text: ``stem`` (Snowball), ``academic_stop`` (drop paper boilerplate), ``bigrams``,
    ``min_df`` / ``max_df`` (document-frequency pruning; ``max_df`` as a share of units),
    ``prefix`` (cut stems to this many letters; 0 keeps them whole).

    Chinese and across languages: ``crosslingual`` maps each Chinese word to its English
    concept (:mod:`xeco.matching.lexicon`) with ``concept_weight`` beside the word itself
    (``surface_weight``), from at most ``max_senses`` senses; ``han_ngrams`` adds character
    n-grams of those sizes for Chinese runs (``ngram_weight`` each); ``han_share`` (or None)
    normalises the Chinese-only columns and the shared ones as two channels. ``reach``: a
    pair of texts of which at most one is Chinese is scored over the columns both can fill
    (:mod:`xeco.matching.calibration`); a text is Chinese when its Chinese-only columns hold
    at least this share of its squared length. None scores every pair by its plain cosine.

    Weighting: ``tf`` is ``"log"`` (1 + ln tf), ``"raw"`` or ``"bm25"`` (k1/b saturation with
    length normalisation); ``idf`` is ``"smooth"`` (ln((1+N)/(1+df)) + 1), ``"plain"``
    (ln(N/df) + 1) or ``"prob"`` (ln((N - df + 0.5)/(df + 0.5)), floored at ``idf_floor``),
    raised to ``idf_power``; df is floored at ``df_floor``. ``df_unit``: document
    frequencies count whole ``"profile"``s (a term a researcher uses in every paper still
    counts once) or single ``"document"``s. ``query_idf``: weight query terms by idf too.
    ``norm_min_df``: terms in fewer profiles than this score but do not count in the length
    of a query (``norm_side="query"``) or of every text (``"both"``); see docs/matching.md.

    Fields: ``title_weight`` and ``keyword_weight`` multiply term counts of those fields;
    ``lead_weight`` does the same for the first sentence of a plain string (in "Title. Abstract"
    strings that sentence is the title).

    Profiles: ``"topm"`` scores the mean cosine of the ``top_m`` best-matching documents of
    the profile (see :mod:`xeco.matching.profiles`); ``"centroid"`` one vector, the mean of
    the documents' unit vectors; ``"concat"`` one vector from all documents' counts summed.
    """

    stem: bool = True
    academic_stop: bool = False
    bigrams: bool = False
    min_df: int = 1
    max_df: float = 1.0
    prefix: int = 0
    crosslingual: bool = True
    surface_weight: float = 1.0
    concept_weight: float = 1.0
    max_senses: int = 4
    han_ngrams: tuple[int, ...] = (1, 2)
    ngram_weight: float = 2.0
    han_share: float | None = None
    reach: float | None = 0.25
    tf: str = "log"
    idf: str = "plain"
    idf_floor: float = 0.0
    idf_power: float = 1.0
    df_floor: int = 0
    df_unit: str = "profile"
    query_idf: bool = True
    norm_min_df: int = 2
    norm_side: str = "query"
    title_weight: float = 2.0
    keyword_weight: float = 2.0
    lead_weight: float = 1.0
    profile: str = "topm"
    top_m: int = 8
    bm25_k1: float = 1.2
    bm25_b: float = 0.75

    def as_dict(self) -> dict:
        return asdict(self)


BASE = Config()
# The engine before cross-language matching (2026-11-25): words only, terms of one profile
# pruned. The measured variants of that time are kept relative to it, as they were measured.
V1 = replace(BASE, crosslingual=False, han_ngrams=(), min_df=2, norm_min_df=0, top_m=6, reach=None)
# The textbook starting point with our analyser: one concatenated vector per profile.
CONCAT = replace(
    V1, profile="concat", df_unit="document", idf="smooth", min_df=1, academic_stop=True
)

METHODS: dict[str, Config] = {
    "default": BASE,
    # Chinese and across languages: one change at a time from the default.
    "v1": V1,
    "monolingual": replace(BASE, crosslingual=False),
    "no-han-ngrams": replace(BASE, han_ngrams=()),
    "han-bigrams": replace(BASE, han_ngrams=(2,)),
    "han-123": replace(BASE, han_ngrams=(1, 2, 3)),
    "ngram-weight-1": replace(BASE, ngram_weight=1.0),
    "surface-half": replace(BASE, surface_weight=0.5),
    "senses-1": replace(BASE, max_senses=1),
    "senses-2": replace(BASE, max_senses=2),
    "concept-2": replace(BASE, concept_weight=2.0),
    "concept-half": replace(BASE, concept_weight=0.5),
    "channels": replace(BASE, han_share=0.7),
    "uncalibrated": replace(BASE, reach=None),
    "reach-10": replace(BASE, reach=0.10),
    "reach-50": replace(BASE, reach=0.50),
    "prefix-7": replace(BASE, prefix=7),
    "min-df-2": replace(BASE, min_df=2, norm_min_df=0),
    "norm-all": replace(BASE, norm_min_df=0),
    "norm-both": replace(BASE, norm_side="both"),
    "norm-min-df-3": replace(BASE, norm_min_df=3),
    "df-floor-2": replace(BASE, norm_min_df=0, df_floor=2),
    "top3-x": replace(BASE, top_m=3),
    "top5-x": replace(BASE, top_m=5),
    "top6-x": replace(BASE, top_m=6),
    "top7-x": replace(BASE, top_m=7),
    "top9-x": replace(BASE, top_m=9),
    "top10-x": replace(BASE, top_m=10),
    # Steps from the concatenated profile to the v1 default, in the order they were found.
    "concat": CONCAT,
    "concat-raw-tf": replace(CONCAT, tf="raw"),
    "concat-profile-df": replace(CONCAT, df_unit="profile"),
    "centroid-doc-df": replace(CONCAT, profile="centroid"),
    "centroid-smooth-idf": replace(CONCAT, profile="centroid", df_unit="profile"),
    "centroid": replace(V1, profile="centroid", academic_stop=True),
    "centroid-bigrams": replace(V1, profile="centroid", academic_stop=True, bigrams=True),
    # One change at a time from the v1 default.
    "max": replace(V1, top_m=1),
    "top3": replace(V1, top_m=3),
    "top8": replace(V1, top_m=8),
    "top10": replace(V1, top_m=10),
    "nostem": replace(V1, stem=False),
    "academic-stop": replace(V1, academic_stop=True),
    "bigrams": replace(V1, bigrams=True),
    "min-df-1": replace(V1, min_df=1),
    "raw-tf": replace(V1, tf="raw"),
    "bm25": replace(V1, tf="bm25", idf="prob", idf_floor=0.1),
    "smooth-idf": replace(V1, idf="smooth"),
    "prob-idf": replace(V1, idf="prob", idf_floor=0.1),
    "idf-squared": replace(V1, idf_power=2.0),
    "document-df": replace(V1, df_unit="document"),
    "no-query-idf": replace(V1, query_idf=False),
    "lead-2": replace(V1, lead_weight=2.0),
}


def get(name: str | None) -> Config:
    """The configuration called ``name`` (``None`` for the default)."""
    if name is None:
        return METHODS["default"]
    try:
        return METHODS[name]
    except KeyError:
        raise ValueError(f"unknown matching method {name!r}; known: {sorted(METHODS)}") from None
