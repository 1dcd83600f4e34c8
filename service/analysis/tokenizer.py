"""Tokenizer: one compiled regular expression that finds word spans in the ORIGINAL text.

Kinds of token (an Arabic word, or else, where a non-Arabic word character starts, the first of):
- Arabic word: an Arabic letter, then letters, harakat, tatweel; invisible controls (ZWNJ, RLM, …) are
  allowed *between* letters so a pasted RLM does not cut a word in two. Underscore, ``#``, ``@``,
  quotes and digits end a word, so ``#عاصي_الحلاني`` gives عاصي, الحلاني and ``بـ"ذا فويس"`` gives ب, ذا,
  فويس; ``بـ2018`` gives ب, 2018;
- URL (``http://…``, ``https://…``, ``www.…``): one token, so a pasted link searches exactly and its
  percent-encoded path does not flood the index with ``d8``/``a7`` fragments;
- e-mail address: one token, for the same reason;
- number with inner separators (``1,500``, ``3.5``, ``٣٫٥``) as one token; plain digit runs fall to
- any other word: a run of non-Arabic word characters (Latin, digits, other scripts, plus combining
  accents) without the underscore.

Character classes are derived from ``unicodedata`` and from the normalizer itself: a code point is an
Arabic *letter* if normalizing it leaves Arabic letters, an Arabic *extender* (mark) if normalizing
leaves nothing. Every token therefore normalizes to a non-empty term, by construction.
"""

from __future__ import annotations

import re
import unicodedata

from service.analysis.normalize import ARABIC_TABLE
from service.analysis.unicode import IGNORABLE, clean

ARABIC_RANGES = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x0870, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))


def _arabic_normal(ch: str) -> str:
    return clean(ch).translate(ARABIC_TABLE)


def _classes() -> tuple[str, str, str]:
    base_letters, letters, extenders, others = set(), [], [], []
    for lo, hi in ARABIC_RANGES:
        for cp in range(lo, hi + 1):
            ch = chr(cp)
            cat = unicodedata.category(ch)
            if cat[0] == "L" and not (0xFB50 <= cp) and _arabic_normal(ch) == ch:
                base_letters.add(ch)
    for lo, hi in ARABIC_RANGES:
        for cp in range(lo, hi + 1):
            ch = chr(cp)
            if unicodedata.category(ch)[0] not in "LM":
                continue
            normal = _arabic_normal(ch)
            if normal == "":
                extenders.append(ch)
            elif all(c in base_letters for c in normal):
                letters.append(ch)
            else:  # ligatures that spell several words (ﷺ, ﷽): symbols, not part of any word
                others.append(ch)
    return "".join(letters), "".join(extenders), "".join(others)


ARABIC_LETTERS, ARABIC_EXTENDERS, ARABIC_SYMBOLS = _classes()
ARABIC_LETTER_SET = frozenset(ARABIC_LETTERS)


def _cls(chars: str) -> str:
    """A regex character-class body for a set of characters, compressed into ranges."""
    cps = sorted(set(map(ord, chars)))
    parts, i = [], 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        lo, hi = cps[i], cps[j]
        parts.append(re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}")
        i = j + 1
    return "".join(parts)


_L = _cls(ARABIC_LETTERS)
_LE = _cls(ARABIC_LETTERS + ARABIC_EXTENDERS)
_IGN = _cls(IGNORABLE)
_OTHER = rf"[^\W_{_LE}{_cls(ARABIC_SYMBOLS)}]"  # a word character, not Arabic, not the underscore
_COMBINING = r"[\u0300-\u036f]"

URL = r"(?i:https?://|www\.)[^\s<>\"'«»(){}\[\]]*[^\s<>\"'«»(){}\[\].,;:!?؟،؛…]"
EMAIL = r"[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"
ARABIC = rf"[{_L}][{_LE}]*(?:[{_IGN}]+[{_LE}]+)*"
NUMBER = r"\d+(?:[.,\u066b\u066c]\d+)+"
OTHER = rf"{_OTHER}+(?:{_COMBINING}+{_OTHER}*)*"

# Arabic words first (most tokens); the other kinds only where a non-Arabic word character starts, so
# separators and Arabic words pay for one cheap test each.
TOKEN_PATTERN = f"{ARABIC}|(?={_OTHER})(?:{URL}|{EMAIL}|{NUMBER}|{OTHER})"
TOKEN_RE = re.compile(TOKEN_PATTERN)
# The same pattern as one capturing group: ``split`` returns separators and words alternately, which
# lets the pipeline compute every offset with C-level ``accumulate`` instead of a Python loop.
SPLIT_RE = re.compile(f"({TOKEN_PATTERN})")
URL_RE = re.compile(URL)
EMAIL_RE = re.compile(EMAIL)


# Per BMP code point, what it can be in a word (service/analysis/_fast.c scans Arabic words with it and
# hands every other word start to TOKEN_RE itself): SKIP starts no word; an Arabic LETTER starts and
# continues one, an EXTENDER (mark, tatweel) continues one, an IGNORABLE control may sit inside one;
# OTHER starts a non-Arabic word.
SKIP, EXTENDER, LETTER, IGNORABLE_CLASS, OTHER_START = range(5)


def char_classes() -> bytes:
    """The class of every BMP code point, one byte each, from the tokenizer's own character classes."""
    bmp = "".join(map(chr, range(0x10000)))
    table = bytearray(0x10000)
    for pattern, cls in (
        (_OTHER, OTHER_START),
        (f"[{_LE}]", EXTENDER),
        (f"[{_L}]", LETTER),
        (f"[{_IGN}]", IGNORABLE_CLASS),
    ):
        for m in re.finditer(f"{pattern}+", bmp):
            table[m.start() : m.end()] = bytes([cls]) * (m.end() - m.start())
    return bytes(table)


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """(raw word, start, end) for every word of ``text``; offsets index the original string."""
    return [(m.group(), m.start(), m.end()) for m in TOKEN_RE.finditer(text)]


def is_arabic(word: str) -> bool:
    return bool(word) and word[0] in ARABIC_LETTER_SET


def is_link(word: str) -> bool:
    """URLs and e-mail addresses: kept whole, only lower-cased."""
    return URL_RE.fullmatch(word) is not None or EMAIL_RE.fullmatch(word) is not None
