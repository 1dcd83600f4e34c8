"""Where a searched word may stand in a stored text: one regular expression per query, run in C.

Analysing a whole article body to find the words its snippet marks was most of a search's time (every
hit of every query). Instead, ``pattern`` scans the stored text for the letters of every searched form —
each letter as any original letter that folds to it (the analyzer's ``FOLDED_FROM``), diacritics and
tatweel allowed between — and only the few places it finds are analysed, which confirms them.

The scan may report places that analysis then rejects, but it must never miss a word analysis would
mark. An exact form is always spelled inside its word; a stem is not always: the stemmer writes a
final ى as ي (مستشفى → مستشفي), a preposition before a pronoun as the bare preposition (عليه → على), a
few listed words as others (فى → في, عشرون → عشرين) and a listed name as itself behind a mark (للرقة →
=الرقة). So each stem is looked for in every spelling the stemmer reaches it from (``stem_spellings``).
Checked on the whole news corpus's vocabulary (430k spellings), every word is found except words not in
NFKC form (presentation forms such as ﻓﻲ, whose letters only NFKC turns into the searched ones):
``scannable`` tells a caller to analyse a text holding such a word the old way (3 articles in 1,000).
tests/search/test_spotting.py holds the scan to all of this.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from service.analysis import stem
from service.analysis.names import NAME_MARK
from service.analysis.pipeline import DROPPED
from service.analysis.pipeline import FOLDED_FROM as FOLDS_TO
from service.analysis.stemmer import PREPOSITION_BASES, SPECIAL
from service.search.compile import Highlights

ARTICLE = "ال"
CROWDED = 2  # letters: a spelling this short is in most words
DECOMPOSED_BELOW = 0x30000


def _stem_sources() -> dict[str, frozenset[str]]:
    """For each stem the stemmer rewrites to, the words it rewrites (على ← علي, في ← فى)."""
    sources: dict[str, set[str]] = {}
    for word, rewritten in (*PREPOSITION_BASES.items(), *SPECIAL.items()):
        sources.setdefault(rewritten, set()).add(word)
    return {rewritten: frozenset(words) for rewritten, words in sources.items()}


_SOURCES = _stem_sources()


def stem_spellings(stem_form: str) -> set[str]:
    """Forms at least one of which is spelled inside every word that has this stem."""
    if stem_form.startswith(NAME_MARK):  # a listed name: itself behind clitics, ل + الرقة written للرقة
        name = stem_form[len(NAME_MARK) :]
        forms = {name, name[1:]} if name.startswith(ARTICLE) else {name}
        return forms | {form[:-1] + "ه" for form in forms if form.endswith("ة")}  # الرقه is الرقة
    forms = {stem_form, *_SOURCES.get(stem_form, ())}
    if stem_form.endswith("ي"):
        forms.add(stem_form[:-1] + "ى")
    return forms


def prefix_spellings(prefix: str) -> set[str]:
    """Forms one of which is spelled inside every word whose exact form or stem starts with ``prefix``."""
    forms = {prefix}
    if prefix.endswith("ي"):
        forms.add(prefix[:-1] + "ى")
    for rewritten, words in _SOURCES.items():
        if rewritten.startswith(prefix):
            forms.update(words)
    return forms


def spellings(highlights: Highlights) -> frozenset[str]:
    """Every form the scan looks for, so that it finds every word ``highlights.matches``. An exact form
    whose stem is searched too needs no scan of its own: its words have that stem, and are found by it."""
    forms: set[str] = set()
    for stem_form in highlights.stems:
        forms |= stem_spellings(stem_form)
    for prefix in highlights.prefixes:
        forms |= prefix_spellings(prefix)
    forms.update(e for e in highlights.exact if stem(e) not in highlights.stems)
    return frozenset(f for f in forms if f)


@lru_cache(maxsize=256)
def pattern(highlights: Highlights) -> re.Pattern[str] | None:
    """The scan for one query's highlights (compiled once per query); None if nothing is highlighted."""
    return _compile(spellings(highlights))


# Between two letters of a word: anything but whitespace and the Arabic letters. A superset of what
# analysis drops (diacritics, tatweel, invisible controls; checked at import), written as one negated
# class of two ranges: Python compiles a character class of many ranges slowly (a bitmap per class,
# in Python), and a query's pattern holds one per letter. The looser class only adds places to analyse.
BETWEEN = "[^\\s\u0621-\u063f\u0641-\u064a]*"
assert all(re.fullmatch(BETWEEN, ch) for ch in DROPPED), "a dropped character must be allowed between letters"


def _compile(forms: Iterable[str]) -> re.Pattern[str] | None:
    """One alternation, longest spelling first; each letter as a class of every original letter that
    folds to it, widened to at most two ranges (``_letter``) so the pattern compiles in a fraction of a
    millisecond — a query's whole scan costs less to build than one body costs to analyse."""
    ordered = sorted(set(forms), key=lambda f: (-len(f), f))
    if not ordered:
        return None
    return re.compile("|".join(BETWEEN.join(map(_letter, form)) for form in ordered), re.IGNORECASE)


@lru_cache(maxsize=4096)
def _letter(ch: str) -> str:
    """A class for the original letters folding to ``ch``: digits as any digit; else the letters,
    widened to at most two ranges by closing the smallest gaps."""
    if ch.isdigit():
        return "\\d"
    sources = FOLDS_TO.get(ch)
    if not sources:
        return re.escape(ch)
    runs: list[list[int]] = []
    for cp in sorted(set(map(ord, sources))):
        if runs and cp == runs[-1][1] + 1:
            runs[-1][1] = cp
        else:
            runs.append([cp, cp])
    while len(runs) > 2:
        i = min(range(len(runs) - 1), key=lambda k: runs[k + 1][0] - runs[k][1])
        runs[i : i + 2] = [[runs[i][0], runs[i + 1][1]]]
    return (
        "["
        + "".join(
            re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in runs
        )
        + "]"
    )


@lru_cache(maxsize=256)
def crowded(highlights: Highlights) -> bool:
    """Whether some searched spelling is so short (two letters: the stem نا of النا) that it stands
    inside most words: scanning for it costs more than analysing the text."""
    return any(len(form) <= CROWDED for form in spellings(highlights))


def scannable(text: str) -> bool:
    """Whether the scan can be trusted on ``text``: NFKC text (nearly all, checked in C), or text whose
    only non-NFKC characters stand outside words (an ellipsis, a no-break space, diacritics out of
    canonical order — analysis drops those anyway). A word holding a presentation form (ﻻ, ﻣ) or a
    composing mark (و + ٔ is ؤ) is spelled, after NFKC, in letters the scan cannot see."""
    return unicodedata.is_normalized("NFKC", text) or not any(map(_changes_a_word, set(text)))


@lru_cache(maxsize=4096)
def _changes_a_word(ch: str) -> bool:
    """A word character NFKC changes, alone or with the character before it."""
    category = unicodedata.category(ch)
    if category[0] not in "LMN" and category != "Cf":  # spaces, punctuation, symbols: never in a word
        return False
    return unicodedata.normalize("NFKC", ch) != ch or ch in _composing()


@lru_cache(maxsize=1)
def _composing() -> frozenset[str]:
    """Characters NFKC may compose with the one before them (the second of a canonical pair, such as
    the hamza above of أ = ا + ٔ). Built on first need (some 25 ms): only non-NFKC texts ask. Every
    canonical decomposition lies in the first three planes (planes 3 to 16 hold none)."""
    found = set()
    for cp in range(DECOMPOSED_BELOW):
        decomposition = unicodedata.decomposition(chr(cp))
        if decomposition and not decomposition.startswith("<"):
            parts = decomposition.split()
            if len(parts) == 2:
                found.add(chr(int(parts[1], 16)))
    return frozenset(found)


__all__ = ["crowded", "pattern", "prefix_spellings", "scannable", "spellings", "stem_spellings"]
