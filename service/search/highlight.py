"""Snippets and highlighted titles, cut from the ORIGINAL text at the analyzer's offsets.

Because every token knows where its word stands in the stored text, the marked words are exactly the
words the user sees, diacritics, tatweel and all; the text around them is escaped, so the result is
safe to put into a page as HTML.
"""

from __future__ import annotations

from html import escape

from service.analysis import Token, analyze
from service.search.compile import Highlights

FRAGMENT_TOKENS = 36
LEAD_TOKENS = 5
ELLIPSIS = "…"


def mark(text: str, tokens: list[Token], highlights: Highlights, start: int = 0, end: int | None = None) -> str:
    end = len(text) if end is None else end
    out, cursor = [], start
    for tok in tokens:
        if tok.start < start or tok.end > end or not highlights.matches(tok):
            continue
        out.append(escape(text[cursor : tok.start]))
        out.append(f"<mark>{escape(text[tok.start : tok.end])}</mark>")
        cursor = tok.end
    out.append(escape(text[cursor:end]))
    return "".join(out)


def highlight_all(text: str | None, highlights: Highlights) -> str:
    if not text:
        return ""
    return mark(text, analyze(text), highlights)


def best_fragment(tokens: list[Token], highlights: Highlights, size: int = FRAGMENT_TOKENS) -> tuple[int, int]:
    """Token index range [i, j) of the window with the most distinct matched words (then the most matches)."""
    matched = [i for i, tok in enumerate(tokens) if highlights.matches(tok)]
    if not matched:
        return 0, min(size, len(tokens))
    first, best_score = matched[0], (-1, -1)
    left = 0
    for right in range(len(matched)):
        while matched[right] - matched[left] >= size:
            left += 1
        window = matched[left : right + 1]
        score = (len({tokens[i].exact for i in window}), len(window))
        if score > best_score:
            first, best_score = window[0], score
    start = max(0, first - LEAD_TOKENS)  # a few words of context before the first match
    return start, min(len(tokens), start + size)


def snippet(text: str | None, highlights: Highlights, size: int = FRAGMENT_TOKENS) -> str:
    if not text:
        return ""
    tokens = analyze(text)
    if not tokens:
        return escape(text[:300])
    i, j = best_fragment(tokens, highlights, size)
    start = 0 if i == 0 else tokens[i].start
    end = len(text) if j >= len(tokens) else tokens[j - 1].end
    html = mark(text, tokens, highlights, start, end).strip()
    return ("" if start == 0 else ELLIPSIS + " ") + html + ("" if end >= len(text) else " " + ELLIPSIS)
