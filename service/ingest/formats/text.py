"""Whitespace tidying and cheap language guessing — the only changes made to published text.

Tidying means: line breaks unified, control characters (NUL etc.) removed, runs of whitespace inside a
line collapsed to one space, lines trimmed, empty lines dropped, paragraphs joined by "\\n". Letters,
diacritics, tatweel, hamza forms, digits and punctuation are left exactly as published.
"""

from __future__ import annotations

import re
import unicodedata

# C0 and C1 control characters except the ones str.splitlines()/str.split() already treat as
# whitespace or line breaks (\t \n \v \f \r \x1c-\x1f \x85).
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
_ARABIC_LETTER_CLASS = (
    r"[\u0621-\u064A\u066E-\u06D3\u06D5\u06EE\u06EF\u06FA-\u06FF\u0750-\u077F\u08A0-\u08FF]"
)
_ARABIC_LETTER = re.compile(_ARABIC_LETTER_CLASS)
# Runs of letters, not single letters, for counting: the same counts from ~5x fewer matches.
_ARABIC_LETTERS = re.compile(_ARABIC_LETTER_CLASS + "+")
_LATIN_LETTERS = re.compile(r"[A-Za-z\u00C0-\u024F]+")
LANGUAGE_SAMPLE_CHARS = 1500
ARABIC_SHARE_FOR_AR = 0.5
# An archive of Arabic news refuses text with no or almost no Arabic: under this share of the sampled
# letters AND fewer Arabic letters than this in the whole text (an English notes file with a word or
# two of Arabic). The corpus's most Latin articles (film lists, photo captions) have 6-23% of their
# sampled letters Arabic and dozens of Arabic letters: both kinds of mixed text still go in.
MIN_ARABIC_SHARE = 0.2
MIN_ARABIC_LETTERS = 20


def strip_controls(text: str) -> tuple[str, int]:
    """Remove control characters (NUL, ESC, C1 controls ...); return the text and how many went."""
    cleaned, count = _CONTROLS.subn("", text)
    return cleaned, count


def _visible(line: str) -> bool:
    """A line made only of spaces and invisible format characters (RLM, ZWNJ, BOM ...) is empty."""
    return any(not ch.isspace() and unicodedata.category(ch) != "Cf" for ch in line)


def tidy_line(line: str) -> str:
    """One line: whitespace runs collapsed, trimmed. Nothing else changes."""
    return " ".join(line.split())


def tidy_lines(text: str) -> list[str]:
    """Non-empty tidied lines of ``text`` (control characters must already be stripped)."""
    out = []
    for raw in text.splitlines():
        line = tidy_line(raw)
        if line and _visible(line):
            out.append(line)
    return out


def tidy_text(text: str) -> tuple[str, int]:
    """Tidy a body: returns ("para\\npara...", number of control characters removed)."""
    text, removed = strip_controls(text)
    return "\n".join(tidy_lines(text)), removed


def tidy_inline(text: str) -> tuple[str, int]:
    """Tidy a one-line field (title, author ...): all whitespace, line breaks included, collapsed."""
    text, removed = strip_controls(text)
    line = tidy_line(text)
    return (line if _visible(line) else ""), removed


def arabic_share(text: str) -> float | None:
    """Share of Arabic letters among Arabic + Latin letters in a sample; None if there are none."""
    sample = text[:LANGUAGE_SAMPLE_CHARS]
    arabic = sum(map(len, _ARABIC_LETTERS.findall(sample)))
    latin = sum(map(len, _LATIN_LETTERS.findall(sample)))
    if arabic + latin == 0:
        return None
    return arabic / (arabic + latin)


def not_arabic(text: str) -> str | None:
    """Why ``text`` is not an Arabic article (no or almost no Arabic script), or None if it is one."""
    share = arabic_share(text)
    if share is not None and share >= MIN_ARABIC_SHARE:
        return None
    count = sum(map(len, _ARABIC_LETTERS.findall(text)))
    if count >= MIN_ARABIC_LETTERS:
        return None
    return (
        f"not an Arabic article: {count} Arabic letter(s) in the whole text"
        f" / ليس مقالًا عربيًّا: فيه {count} حرفًا عربيًّا فقط"
    )


def guess_language(text: str) -> str | None:
    """ "ar" when most letters are Arabic; None when unsure (Latin script could be any language)."""
    share = arabic_share(text)
    if share is not None and share >= ARABIC_SHARE_FOR_AR:
        return "ar"
    return None
