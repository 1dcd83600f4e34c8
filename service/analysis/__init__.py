"""Arabic text analysis: text -> index terms with offsets into the original text and positions.

Every word gives two term forms: ``exact`` (normalized surface form, for phrases and "this spelling")
and ``stem`` (light stem, so bare words match every inflection). See docs/analysis.md.

    analyze(text) -> list[Token]           the whole pipeline (titles, bodies); never raises
    analyze_query_word(word) -> list[Token] the same for query terms
    normalize(word) -> str                 exact form
    stem(exact) -> str                     stem form from an exact form
    set_cache_limit(n)                     distinct spellings kept analysed (a bulk indexer keeps more)
    STOPWORDS                              exact forms, for query time only
    ANALYZER_VERSION                       stored in the index; bump whenever produced terms change
"""

from service.analysis.pipeline import (
    Token,
    analyze,
    analyze_query_word,
    index_terms,
    normalize,
    set_cache_limit,
)
from service.analysis.stemmer import stem
from service.analysis.stopwords import STOPWORDS

ANALYZER_VERSION = "ar-2"  # ar-2: listed place and person names are their own stem (names.py)

__all__ = [
    "ANALYZER_VERSION",
    "STOPWORDS",
    "Token",
    "analyze",
    "analyze_query_word",
    "index_terms",
    "normalize",
    "set_cache_limit",
    "stem",
]
