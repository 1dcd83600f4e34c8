"""Snippets and highlighted titles, cut from the ORIGINAL text at the analyzer's offsets.

Because every token knows where its word stands in the stored text, the marked words are exactly the
words the user sees, diacritics, tatweel and all. The result is a ``Marked`` (raw text plus spans),
never markup: the API, the page and the terminal each format it for their own medium.

A long text (over ``LONG_TEXT`` characters, say a 5 MB body) is never analysed whole per hit: a cheap
regular-expression scan of the stored text finds where the highlighted words may stand
(``surface_pattern``), and only windows around those places are analysed, which confirms them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from service.analysis import Token, analyze
from service.analysis.pipeline import surface_pattern
from service.search.compile import Highlights
from service.search.marked import Marked, Span

FRAGMENT_TOKENS = 36
LEAD_TOKENS = 5
ELLIPSIS = "…"
LONG_TEXT = 20_000  # characters: a text up to this long is analysed whole, as it always was
WINDOW = 600  # characters of context analysed on each side of a place a highlighted word may stand
SNIPPET_WINDOWS = 50  # windows weighed for one snippet
PAGE_ANALYSED = 400_000  # characters a long article's page analyses for highlighting; the rest is plain
_SPACE = re.compile(r"\s")


def spans(
    tokens: list[Token], highlights: Highlights, start: int = 0, end: int | None = None, shift: int = 0
) -> tuple[Span, ...]:
    """The matched tokens lying within [start, end) of their text, as spans moved back by ``shift``
    (where the handed-out text begins in theirs). Tokens come in text order and never overlap."""
    return tuple(
        (tok.start - shift, tok.end - shift)
        for tok in tokens
        if start <= tok.start and (end is None or tok.end <= end) and highlights.matches(tok)
    )


def highlight_all(text: str | None, highlights: Highlights) -> Marked:
    if not text:
        return Marked()
    return Marked(text, spans(analyze(text), highlights))


def _best(tokens: list[Token], highlights: Highlights, size: int) -> tuple[tuple[int, int], int, int]:
    """(score, i, j): the token range [i, j) with the most distinct matched words (then the most matches)."""
    matched = [i for i, tok in enumerate(tokens) if highlights.matches(tok)]
    if not matched:
        return (0, 0), 0, min(size, len(tokens))
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
    return best_score, start, min(len(tokens), start + size)


def best_fragment(
    tokens: list[Token], highlights: Highlights, size: int = FRAGMENT_TOKENS
) -> tuple[int, int]:
    """Token index range [i, j) of the window with the most distinct matched words (then the most matches)."""
    _, i, j = _best(tokens, highlights, size)
    return i, j


@lru_cache(maxsize=256)
def _pattern(forms: frozenset[str]) -> re.Pattern[str] | None:
    if not forms:
        return None
    # longest first, so the alternation reports the longest spelling at each place
    return re.compile(
        "|".join(surface_pattern(f) for f in sorted(forms, key=len, reverse=True)), re.IGNORECASE
    )


def candidates(highlights: Highlights) -> re.Pattern[str] | None:
    """Where in a stored text a highlighted word may stand; None if nothing is highlighted."""
    return _pattern(frozenset(highlights.exact | highlights.stems | highlights.prefixes))


def _word_edge(text: str, at: int, forward: bool) -> int:
    """``at`` moved to the nearest whitespace (within a short reach), so a window cuts no word."""
    if at <= 0 or at >= len(text):
        return max(0, min(at, len(text)))
    if forward:
        found = _SPACE.search(text, at, min(len(text), at + 100))
        return found.start() if found else at
    found = None
    for found in _SPACE.finditer(text, max(0, at - 100), at):
        pass
    return found.end() if found else at


def _windows(text: str, pattern: re.Pattern[str], limit: int) -> list[tuple[int, int]]:
    """Up to ``limit`` non-overlapping spans around candidate places, in order."""
    spans: list[tuple[int, int]] = []
    for found in pattern.finditer(text):
        start = _word_edge(text, found.start() - WINDOW, forward=False)
        end = _word_edge(text, found.end() + WINDOW, forward=True)
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
            continue
        if len(spans) >= limit:
            break
        spans.append((start, end))
    return spans


def _tokens_of(text: str, start: int, end: int) -> list[Token]:
    """The analysis of text[start:end], with offsets into the whole text."""
    return [tok._replace(start=tok.start + start, end=tok.end + start) for tok in analyze(text[start:end])]


def _long_snippet(text: str, highlights: Highlights, size: int) -> tuple[list[Token], int, int]:
    best: tuple[tuple[int, int], list[Token], int, int] | None = None
    pattern = candidates(highlights)
    for start, end in _windows(text, pattern, SNIPPET_WINDOWS) if pattern else []:
        tokens = _tokens_of(text, start, end)
        score, i, j = _best(tokens, highlights, size)
        if score > (0, 0) and (best is None or score > best[0]):
            best = score, tokens, i, j
    if best is None:  # no highlighted word: the lead, as for a short text
        tokens = _tokens_of(text, 0, _word_edge(text, WINDOW * 4, forward=True))
        return tokens, 0, min(size, len(tokens))
    return best[1], best[2], best[3]


def snippet(text: str | None, highlights: Highlights, size: int = FRAGMENT_TOKENS) -> Marked:
    """The best fragment of ``text``, trimmed, with an ellipsis (in the text) where it was cut."""
    if not text:
        return Marked()
    if len(text) > LONG_TEXT:
        tokens, i, j = _long_snippet(text, highlights, size)
    else:
        tokens = analyze(text)
        i, j = best_fragment(tokens, highlights, size) if tokens else (0, 0)
    if not tokens:
        return Marked(text[:300])
    start = 0 if i == 0 else tokens[i].start
    end = len(text) if j >= len(tokens) and len(text) <= LONG_TEXT else tokens[j - 1].end
    fragment = text[start:end]
    lead = len(fragment) - len(fragment.lstrip())  # words never hold whitespace, so no span is trimmed
    before = "" if start == 0 else ELLIPSIS + " "
    after = "" if end >= len(text) else " " + ELLIPSIS
    shift = start + lead - len(before)
    return Marked(before + fragment.strip() + after, spans(tokens, highlights, start, end, shift))


def paragraphs(body: str, highlights: Highlights) -> list[Marked]:
    """The body's non-empty lines, highlighted. A long body analyses only the places where a
    highlighted word may stand, and at most ``PAGE_ANALYSED`` characters in all; the rest is unmarked."""
    lines = [line for line in body.split("\n") if line.strip()]
    if len(body) <= LONG_TEXT:
        return [highlight_all(line, highlights) for line in lines]
    pattern = candidates(highlights)
    budget = PAGE_ANALYSED
    out = []
    for line in lines:
        if pattern is None or budget <= 0 or not pattern.search(line):
            out.append(Marked(line))
            continue
        if len(line) <= LONG_TEXT:
            budget -= len(line)
            out.append(highlight_all(line, highlights))
            continue
        tokens: list[Token] = []
        for start, end in _windows(line, pattern, max(1, budget // (2 * WINDOW))):
            tokens.extend(_tokens_of(line, start, end))
            budget -= end - start
        out.append(Marked(line, spans(tokens, highlights)))
    return out
