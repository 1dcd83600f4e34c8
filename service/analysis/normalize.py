"""Orthographic normalization: the spellings that writers of Arabic use interchangeably become one.

Folded (in both term forms), because readers and writers treat them as the same letter:
- tashkeel (harakat, tanween, shadda, sukun, superscript alef, Qur'anic annotation marks) and tatweel;
- alef forms أ إ آ ٱ ٲ ٳ ٵ -> ا (hamza on alef is omitted in most typed text);
- hamza on waw/yeh ؤ ئ -> ء, so مسؤول/مسئول meet (Lucene keeps them apart; Snowball makes و/ي of them,
  which still keeps مسؤول and مسئول apart);
- Latin is lower-cased.

Deliberately NOT folded in the exact form: alef maqsura ى (vs ي) and teh marbuta ة (vs ه). In the news
corpus ى/ي and ة/ه distinguish words far more often than they are typos: على 276,650 vs the name علي
6,282; القوى "the forces" vs القوي "the strong"; رأى "saw" vs رأي "opinion"; قدرة "ability" vs قدره
"his fate". Misspellings are rare (فى 2,346 vs في 629,842; ال…ه for ال…ة 0.75%). The stem form takes
care of the inflectional overlap (see ``stemmer``). docs/analysis.md has the numbers.
"""

from __future__ import annotations

# Arabic combining marks: harakat/tanween/shadda/sukun and extended marks (064B-065F), superscript
# alef (0670), Qur'anic small high/low signs (0610-061A, 06D6-06DC, 06DF-06E8, 06EA-06ED, 0898-089F, 08CA-08FF).
_MARKS = (
    [chr(c) for c in range(0x0610, 0x061B)]
    + [chr(c) for c in range(0x064B, 0x0660)]
    + ["\u0670"]
    + [chr(c) for c in range(0x06D6, 0x06DD)]
    + [chr(c) for c in range(0x06DF, 0x06E9)]
    + [chr(c) for c in range(0x06EA, 0x06EE)]
    + [chr(c) for c in range(0x0898, 0x08A0)]
    + [chr(c) for c in range(0x08CA, 0x0900) if c != 0x08E2]
)
TATWEEL = "\u0640"
MARKS = "".join(_MARKS)

STRIP_TABLE = {ord(c): None for c in MARKS + TATWEEL}

ALEF_FOLDS = {
    "\u0623": "\u0627",  # أ
    "\u0625": "\u0627",  # إ
    "\u0622": "\u0627",  # آ
    "\u0671": "\u0627",  # ٱ alef wasla
    "\u0672": "\u0627",  # ٲ
    "\u0673": "\u0627",  # ٳ
    "\u0675": "\u0627",  # ٵ
}
HAMZA_FOLDS = {
    "\u0624": "\u0621",  # ؤ -> ء
    "\u0626": "\u0621",  # ئ -> ء
}
FOLD_TABLE = {ord(k): v for k, v in {**ALEF_FOLDS, **HAMZA_FOLDS}.items()}


def strip_marks(word: str) -> str:
    """Remove tashkeel and tatweel: they decorate a word, they never change which word it is."""
    return word.translate(STRIP_TABLE)


def fold_letters(word: str) -> str:
    """Alef and hamza-seat forms -> one letter each."""
    return word.translate(FOLD_TABLE)


def lower(word: str) -> str:
    """Latin (and other cased scripts) lower-cased; Arabic has no case, so this is a no-op for it."""
    return word.lower()


# One table doing strip_marks + fold_letters in a single pass (the tokenizer's character classes and
# the pipeline's composed one-pass table are built from it).
ARABIC_TABLE = {**STRIP_TABLE, **FOLD_TABLE}
