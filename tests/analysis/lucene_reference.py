"""Lucene's Arabic analysis as a reference: ArabicNormalizer + ArabicStemmer, ported rule for rule.

Used to compare our stemmer with Lucene's on the labelled groups (tests) and in bench/eval_retrieval.py
(the same BM25 engine for every analyzer). Source: lucene/analysis/common/.../ar/ArabicNormalizer.java
and ArabicStemmer.java (light10-style prefixes and suffixes, each with Lucene's length checks).
"""

from __future__ import annotations

import re

_NORMALIZE = str.maketrans(
    {
        "آ": "ا",
        "أ": "ا",
        "إ": "ا",
        "ى": "ي",
        "ة": "ه",
        "\u0640": None,
        **{chr(c): None for c in range(0x064B, 0x0653)},
    }
)
PREFIXES = ("ال", "وال", "بال", "كال", "فال", "لل", "و")
SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي")
_WORD = re.compile(r"\w+")


def lucene_normalize(word: str) -> str:
    return word.translate(_NORMALIZE)


def lucene_stem(word: str) -> str:
    """ArabicStemmer.stem: strip the first matching prefix, then every matching suffix once, in order."""
    for p in PREFIXES:
        if (len(p) == 1 and len(word) < 4) or len(word) < len(p) + 2:
            continue
        if word.startswith(p):
            word = word[len(p) :]
            break
    for s in SUFFIXES:
        if len(word) >= len(s) + 2 and word.endswith(s):
            word = word[: -len(s)]
    return word


def lucene_terms(text: str) -> list[tuple[str, int, int]]:
    """Lucene ArabicAnalyzer without stop words: \\w+ split (close to StandardTokenizer for Arabic),
    lower-case, normalize, stem. (term, start, end)."""
    out = []
    for m in _WORD.finditer(text):
        w = lucene_normalize(m.group().lower())
        if w:
            out.append((lucene_stem(w), m.start(), m.end()))
    return out
