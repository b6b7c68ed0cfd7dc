"""Named engine configurations: the production default and the variants measured against it.

Every name here can be passed as ``Matcher(method=NAME)`` and scored with
``python ../shared/eval/gold_eval.py --method NAME``; docs/matching.md reports the loss of each.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace


@dataclass(frozen=True)
class Config:
    """How texts become vectors and how a profile's documents are combined.

    Text: ``stem`` (Snowball), ``academic_stop`` (drop paper boilerplate), ``bigrams``,
    ``min_df`` / ``max_df`` (document-frequency pruning; ``max_df`` as a share of units).

    Weighting: ``tf`` is ``"log"`` (1 + ln tf), ``"raw"`` or ``"bm25"`` (k1/b saturation with
    length normalisation); ``idf`` is ``"smooth"`` (ln((1+N)/(1+df)) + 1), ``"plain"``
    (ln(N/df) + 1) or ``"prob"`` (ln((N - df + 0.5)/(df + 0.5)), floored at ``idf_floor``),
    raised to ``idf_power``. ``df_unit``: document frequencies count whole ``"profile"``s
    (a term a researcher uses in every paper still counts once) or single ``"document"``s.
    ``query_idf``: weight query terms by idf too (else idf enters the cosine only once).

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
    min_df: int = 2
    max_df: float = 1.0
    tf: str = "log"
    idf: str = "plain"
    idf_floor: float = 0.0
    idf_power: float = 1.0
    df_unit: str = "profile"
    query_idf: bool = True
    title_weight: float = 2.0
    keyword_weight: float = 2.0
    lead_weight: float = 1.0
    profile: str = "topm"
    top_m: int = 6
    bm25_k1: float = 1.2
    bm25_b: float = 0.75

    def as_dict(self) -> dict:
        return asdict(self)


BASE = Config()
# The textbook starting point with our analyser: one concatenated vector per profile.
CONCAT = replace(
    BASE, profile="concat", df_unit="document", idf="smooth", min_df=1, academic_stop=True
)

METHODS: dict[str, Config] = {
    "default": BASE,
    # Steps from the concatenated profile to the default, in the order they were found.
    "concat": CONCAT,
    "concat-raw-tf": replace(CONCAT, tf="raw"),
    "concat-profile-df": replace(CONCAT, df_unit="profile"),
    "centroid-doc-df": replace(CONCAT, profile="centroid"),
    "centroid-smooth-idf": replace(CONCAT, profile="centroid", df_unit="profile"),
    "centroid": replace(BASE, profile="centroid", academic_stop=True),
    "centroid-bigrams": replace(BASE, profile="centroid", academic_stop=True, bigrams=True),
    # One change at a time from the default.
    "max": replace(BASE, top_m=1),
    "top3": replace(BASE, top_m=3),
    "top8": replace(BASE, top_m=8),
    "top10": replace(BASE, top_m=10),
    "nostem": replace(BASE, stem=False),
    "academic-stop": replace(BASE, academic_stop=True),
    "bigrams": replace(BASE, bigrams=True),
    "min-df-1": replace(BASE, min_df=1),
    "raw-tf": replace(BASE, tf="raw"),
    "bm25": replace(BASE, tf="bm25", idf="prob", idf_floor=0.1),
    "smooth-idf": replace(BASE, idf="smooth"),
    "prob-idf": replace(BASE, idf="prob", idf_floor=0.1),
    "idf-squared": replace(BASE, idf_power=2.0),
    "document-df": replace(BASE, df_unit="document"),
    "no-query-idf": replace(BASE, query_idf=False),
    "lead-2": replace(BASE, lead_weight=2.0),
}


def get(name: str | None) -> Config:
    """The configuration called ``name`` (``None`` for the default)."""
    if name is None:
        return METHODS["default"]
    try:
        return METHODS[name]
    except KeyError:
        raise ValueError(f"unknown matching method {name!r}; known: {sorted(METHODS)}") from None
