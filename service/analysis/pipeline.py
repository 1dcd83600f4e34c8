"""The analysis chain, and its fast path.

Readable form (``analyze_slow``), like a Lucene/whoosh chain::

    tokenize -> unicode.clean -> normalize.strip_marks -> normalize.fold_letters -> lower -> stemmer.stem

Fast form (``analyze``, ``index_terms``): a dict maps each distinct raw word to its (exact, stem) pair,
so the chain runs once per distinct spelling; news text repeats words heavily, so after warm-up nearly
every word is one dict hit. Around that dict, two implementations with identical output (tested):
the compiled core (``_fast.c``, built by ``make install``) scans the text once in C, and where it is not
built, ``analyze_py``/``index_terms_py`` do the same in pure Python: the regex tokenizer splits the
ORIGINAL text once (``re.split`` with one group, so separators and words alternate and offsets come
from ``itertools.accumulate`` in C). Both give the tokens of the readable form (tested).
"""

from __future__ import annotations

import unicodedata
from itertools import accumulate, chain, count, repeat
from operator import itemgetter
from typing import NamedTuple

from service.analysis import normalize as _norm
from service.analysis.stemmer import stem
from service.analysis.tokenizer import SPLIT_RE, TOKEN_RE, char_classes, is_arabic, is_link, tokenize
from service.analysis.unicode import CLEAN_TABLE, clean

# Distinct raw spellings kept (~250 bytes each). The whole 70k-article corpus has ~410k, but the 200k
# most recent cover nearly every token of running text; on overflow the cache starts afresh. A bulk
# indexer, which sees every spelling of an archive, keeps more (``set_cache_limit``).
CACHE_LIMIT = 200_000


def set_cache_limit(limit: int) -> None:
    """How many distinct spellings this process keeps analysed: a process that indexes a whole corpus
    pays ~10 µs to analyse a spelling again each time a full cache starts afresh."""
    global CACHE_LIMIT
    CACHE_LIMIT = limit


class Token(NamedTuple):
    exact: str  # normalized surface form (not stemmed): phrases and "this spelling"
    stem: str  # light stem: bare words match every inflection
    start: int  # offset of the original word in the original text (str index), inclusive
    end: int  # exclusive: text[start:end] is the original word, diacritics and tatweel included
    position: int  # 0, 1, 2, ... for phrase queries


def _compose(first: dict[int, str | None], then: dict[int, str | None]) -> dict[int, str | None]:
    """One translate table doing ``first`` then ``then`` (both map to at most one character)."""
    out: dict[int, str | None] = dict(then)
    for cp, value in first.items():
        out[cp] = value if value is None or len(value) != 1 else then.get(ord(value), value)
    return out


# unicode.clean's table, then strip_marks + fold_letters: one pass for Arabic words.
_ARABIC_ONE_PASS = _compose(CLEAN_TABLE, _norm.ARABIC_TABLE)
_is_nfkc = unicodedata.is_normalized


def _normalize_once(raw: str) -> str:
    if is_arabic(raw):
        # = fold_letters(strip_marks(clean(raw))), with the three tables composed into one
        if not _is_nfkc("NFKC", raw):
            raw = unicodedata.normalize("NFKC", raw)
        return raw.translate(_ARABIC_ONE_PASS)
    if is_link(raw):
        return raw.lower()
    return _norm.lower(clean(raw))


def _normalize_word(raw: str) -> str:
    word = _normalize_once(raw)
    if is_arabic(raw) or is_link(raw) or (word.isascii() and TOKEN_RE.fullmatch(word)):
        return word
    return _stable(word, raw)


def _stable(word: str, raw: str) -> str:
    """Make a non-Arabic exact form a fixed point of analysis (for idempotence).

    Compatibility folds can turn one token into text the tokenizer reads differently (NFKC of ¼ is
    1⁄4, of ⑴ is (1)): keep only its word pieces, glued, and normalize again until stable. If nothing of
    it is a word any more, the raw word (which the tokenizer did read as one word) is its own term.
    """
    for _ in range(4):
        word = "".join(TOKEN_RE.findall(word))
        if not word:
            return raw
        again = _normalize_once(word)
        if again == word and TOKEN_RE.fullmatch(word):
            return word
        word = again
    return word


def normalize(word: str) -> str:
    """Exact form of one word (what ``analyze`` puts in ``Token.exact``); words of a longer string are
    normalized each and joined by a space."""
    raws = TOKEN_RE.findall(word)
    if len(raws) == 1:
        return _WORDS[raws[0]][0]
    return " ".join(_WORDS[r][0] for r in raws)


def analyze_word(raw: str) -> tuple[str, str]:
    """(exact, stem) of one raw word as found by the tokenizer: the whole filter chain."""
    exact = _normalize_word(raw)
    if not exact or exact == raw:  # (empty cannot happen for tokenizer output)
        exact = raw  # share one string object between key and value
    stem_ = stem(exact)
    return exact, exact if stem_ == exact else stem_


class _WordCache(dict[str, tuple[str, str]]):
    """raw word -> (exact, stem); filled on first sight, cleared wholesale when it grows too large."""

    def __missing__(self, raw: str) -> tuple[str, str]:
        if len(self) >= CACHE_LIMIT:
            self.clear()
        value = self[raw] = analyze_word(raw)
        return value


_WORDS = _WordCache()


def clear_caches() -> None:
    """Forget every cached analysis (benchmarks measure the cold path with it)."""
    _WORDS.clear()


_lookup = _WORDS.__getitem__
_split = SPLIT_RE.split
_tuple_new = tuple.__new__  # builds a Token from one 5-tuple in C, skipping NamedTuple's Python __new__
_flatten = chain.from_iterable


def analyze_py(text: str) -> list[Token]:
    """``analyze`` in pure Python (used where the compiled core is not built; tests hold them equal).

    No Python-level loop: split, offsets, cache lookups and Token construction all run in C."""
    if not isinstance(text, str):
        return []
    pieces = _split(text)  # [sep, word, sep, word, ..., sep]
    if len(pieces) == 1:
        return []
    # zip pulls from its arguments left to right, so passing one iterator twice deals out its items in
    # turn: exact, stem from the flattened cache pairs; start, end from the running sum of piece lengths
    # (the end of separator i is the start of word i, the end of word i is its end).
    forms = _flatten(map(_lookup, pieces[1::2]))
    offsets = accumulate(map(len, pieces))
    return list(map(_tuple_new, repeat(Token), zip(forms, forms, offsets, offsets, count())))


_exact_of, _stem_of = itemgetter(0), itemgetter(1)


def index_terms_py(text: str) -> tuple[str, str]:
    """``index_terms`` in pure Python (used where the compiled core is not built; tests hold them equal)."""
    if not isinstance(text, str):
        return "", ""
    pairs = list(map(_lookup, _split(text)[1::2]))
    return " ".join(map(_exact_of, pairs)), " ".join(map(_stem_of, pairs))


# The compiled core (_fast.c, built by ``make install``) does the same with no Python object per
# separator: it scans Arabic words with the tokenizer's character classes, hands every other word start
# to TOKEN_RE, and takes each word's forms from the same cache (so from the same chain, on a miss).
try:
    from service.analysis import _fast
except ImportError:  # not built: the pure-Python path above, same output
    _analyze, _index_terms = analyze_py, index_terms_py
    COMPILED = False
else:
    _fast.configure(char_classes(), TOKEN_RE.match, _WORDS, _lookup, Token)
    _analyze, _index_terms = _fast.analyze, _fast.index_terms
    COMPILED = True


def analyze(text: str) -> list[Token]:
    """Every word of ``text`` as a Token, in order. Never raises (non-strings give no tokens)."""
    return _analyze(text)


def index_terms(text: str) -> tuple[str, str]:
    """What the index takes of a text: its exact forms and its stems, each as one space-joined string.

    The words of ``analyze`` without their offsets or Token objects (a test holds the two equal): the
    index needs neither, and building them was most of what indexing cost."""
    return _index_terms(text)


def _spellings() -> tuple[dict[str, str], str]:
    """For each folded character, every original character folding to it; and the characters dropped."""
    sources: dict[str, set[str]] = {}
    dropped = []
    for cp, value in _ARABIC_ONE_PASS.items():
        if value is None:
            dropped.append(chr(cp))
        elif len(value) == 1:
            sources.setdefault(value, {value}).add(chr(cp))
    return {k: "".join(sorted(v)) for k, v in sources.items()}, "".join(sorted(dropped))


# What the Arabic fold does, read backwards: every original letter of each folded one, and the
# characters it drops (diacritics, tatweel). Search scans stored text with them (search/spotting.py).
FOLDED_FROM, DROPPED = _spellings()


def analyze_query_word(word: str) -> list[Token]:
    """Analysis of a query term or phrase: the same chain as documents, so query terms meet index terms."""
    return analyze(word)


def analyze_slow(text: str) -> list[Token]:
    """The same result as ``analyze``, written as the plain chain (reference for tests and reading)."""
    out = []
    for position, (raw, start, end) in enumerate(tokenize(text)):
        exact, stem_ = analyze_word(raw)
        out.append(Token(exact, stem_, start, end, position))
    return out
