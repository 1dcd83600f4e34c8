"""Snippets and highlighted titles, cut from the ORIGINAL text at the analyzer's offsets.

Because every token knows where its word stands in the stored text, the marked words are exactly the
words the user sees, diacritics, tatweel and all. The result is a ``Marked`` (raw text plus spans),
never markup: the API, the page and the terminal each format it for their own medium.

No body is analysed whole for a snippet: a regular-expression scan of the stored text, run in C,
finds where the highlighted words may stand (``service/search/spotting.py``); only the words at those
places are analysed, which confirms them, and only the chosen fragment is cut into words. The scan
never misses a word analysis would mark, and the words between places are counted, not analysed, so
the fragment chosen is the one analysing the whole text would choose (tested), at a fraction of the
cost: the whole body was analysed per hit before, three quarters of a search's time.

A text the scan cannot be trusted on (not NFKC, a few in a hundred) is analysed the old way: whole up
to ``LONG_TEXT`` characters; beyond that, in windows around the places the scan finds, so a 5 MB body
never is. The article page (``paragraphs``) highlights whole paragraphs the same windowed way.
"""

from __future__ import annotations

import re
from collections import deque
from itertools import compress, count, islice
from operator import itemgetter, or_

from service.analysis import Token, analyze
from service.analysis.tokenizer import TOKEN_RE
from service.search import spotting
from service.search.compile import Highlights
from service.search.marked import Marked, Span

FRAGMENT_TOKENS = 36
LEAD_TOKENS = 5
ELLIPSIS = "…"
LONG_TEXT = 20_000  # characters: a text the scan cannot be trusted on is analysed whole up to this long
WINDOW = 600  # characters of context analysed on each side of a place a highlighted word may stand
SNIPPET_WINDOWS = 50  # windows weighed for one snippet
PAGE_ANALYSED = 400_000  # characters a long article's page analyses for highlighting; the rest is plain
# places weighed for one snippet: a text naming the words more often is scored on its first ones
MAX_SPOTS = 1_000
REACH = 2_000  # characters searched for the whitespace around a place (words never hold whitespace)
MERGE = 40  # places fewer characters apart than this are analysed as one stretch
COUNT_SPAN = 250  # characters of a gap between places counted first: some 36 words of news text
LEAD_STEP = 100  # characters the words leading up to a fragment's first match are first looked for in
DENSE, CROWD = 100, 8  # a scan that finds 8 places or more, one per 100 characters or closer, gives up
_SPACE = re.compile(r"\s")
_BREAK = re.compile(r"[ \n]")  # what the scan's stretches are cut at: any whitespace would do; these are most
_EXACT, _STEM = itemgetter(0), itemgetter(1)  # Token.exact, Token.stem
_START = re.Match.start


def matched(tokens: list[Token], highlights: Highlights) -> list[int]:
    """Indexes of the tokens ``highlights.matches``, found in C (set look-ups mapped over the tokens'
    forms) unless prefixes are searched, which need a test per token."""
    if highlights.prefixes:
        return [i for i, tok in enumerate(tokens) if highlights.matches(tok)]
    exact = map(highlights.exact.__contains__, map(_EXACT, tokens))
    stem = map(highlights.stems.__contains__, map(_STEM, tokens))
    return list(compress(count(), map(or_, exact, stem)))


def spans(
    tokens: list[Token], highlights: Highlights, start: int = 0, end: int | None = None, shift: int = 0
) -> tuple[Span, ...]:
    """The matched tokens lying within [start, end) of their text, as spans moved back by ``shift``
    (where the handed-out text begins in theirs). Tokens come in text order and never overlap."""
    return tuple(
        (tok.start - shift, tok.end - shift)
        for tok in map(tokens.__getitem__, matched(tokens, highlights))
        if start <= tok.start and (end is None or tok.end <= end)
    )


def highlight_all(text: str | None, highlights: Highlights) -> Marked:
    if not text:
        return Marked()
    if spotting.scannable(text):  # a title where the scan finds no place has nothing to mark
        pattern = candidates(highlights)
        if pattern is None or pattern.search(text) is None:
            return Marked(text)
    return Marked(text, spans(analyze(text), highlights))


def _best(tokens: list[Token], highlights: Highlights, size: int) -> tuple[tuple[int, int], int, int]:
    """(score, i, j): the token range [i, j) with the most distinct matched words (then the most matches)."""
    matched_ = matched(tokens, highlights)
    if not matched_:
        return (0, 0), 0, min(size, len(tokens))
    best_score, at = _best_window(matched_, [tokens[i].exact for i in matched_], size)
    first = matched_[at]
    start = max(0, first - LEAD_TOKENS)  # a few words of context before the first match
    return best_score, start, min(len(tokens), start + size)


def best_fragment(
    tokens: list[Token], highlights: Highlights, size: int = FRAGMENT_TOKENS
) -> tuple[int, int]:
    """Token index range [i, j) of the window with the most distinct matched words (then the most matches)."""
    _, i, j = _best(tokens, highlights, size)
    return i, j


def candidates(highlights: Highlights) -> re.Pattern[str] | None:
    """Where in a stored text a highlighted word may stand; None if nothing is highlighted."""
    return spotting.pattern(highlights)


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
    short = len(text) <= LONG_TEXT
    if spotting.scannable(text) and not (short and spotting.crowded(highlights)):
        found = _matches(text, highlights, size, give_up=short)
        if found is not None:
            return _spotted_snippet(text, highlights, size, *found)
    if not short:
        tokens, i, j = _long_snippet(text, highlights, size)
    else:
        tokens = analyze(text)
        i, j = best_fragment(tokens, highlights, size) if tokens else (0, 0)
    if not tokens:
        return Marked(text[:300])
    start = 0 if i == 0 else tokens[i].start
    end = len(text) if j >= len(tokens) and len(text) <= LONG_TEXT else tokens[j - 1].end
    return _cut(text, start, end, spans(tokens, highlights, start, end))


def _cut(text: str, start: int, end: int, marked: tuple[Span, ...]) -> Marked:
    """``text[start:end]`` trimmed, with ellipses where it was cut; ``marked`` are spans into ``text``."""
    fragment = text[start:end]
    lead = len(fragment) - len(fragment.lstrip())  # words never hold whitespace, so no span is trimmed
    before = "" if start == 0 else ELLIPSIS + " "
    after = "" if end >= len(text) else " " + ELLIPSIS
    shift = start + lead - len(before)
    return Marked(before + fragment.strip() + after, tuple((a - shift, b - shift) for a, b in marked))


# -- snippets from a scan ------------------------------------------------------------------------
#
# The same choice as analysing the whole text (``_best`` over every word), from the scan's places only:
# the words at each place are analysed (so matches are confirmed and their offsets exact), the words
# between places are only counted (in C), and only as far as a fragment's length matters; the chosen
# fragment's edges are found by counting words back and forward from its first match.


def _spotted_snippet(
    text: str, highlights: Highlights, size: int, found: list[tuple[int, Token]], complete: bool
) -> Marked:
    first = _best_first(found, size)
    start = 0 if first is None else _lead_start(text, first.start)
    end = _fragment_end(text, start, size)
    if end is None:  # no word at all
        return Marked(text[:300])
    if complete:
        marks = tuple((t.start, t.end) for _, t in found if start <= t.start and t.end <= end)
    else:  # places beyond MAX_SPOTS were not analysed: confirm the fragment's own words
        marks = spans(_tokens_of(text, start, end), highlights)
    return _cut(text, start, end, marks)


def _edge_before(text: str, at: int) -> int:
    """Where the whitespace-delimited stretch holding ``text[at]`` starts (a word starts no earlier)."""
    low = max(0, at - REACH)
    cut = max(text.rfind(" ", low, at), text.rfind("\n", low, at))
    return cut + 1 if cut >= 0 else low


def _edge_after(text: str, at: int) -> int:
    """The first space or newline at or after ``at``, or the end of the text (no word runs past it)."""
    high = min(len(text), at + REACH)
    found = _BREAK.search(text, at, high)
    return found.start() if found else high


def _count(text: str, start: int, end: int, enough: int) -> int:
    """Words in ``text[start:end]`` (``start`` where a word ends, ``end`` where one starts), or some
    number >= ``enough`` if there are that many: a long gap is counted a span at a time, only as far
    as a fragment's length matters."""
    counted = 0
    while start < end:
        cut = min(end, _edge_after(text, start + COUNT_SPAN))
        counted += len(TOKEN_RE.findall(text, start, cut))
        if counted >= enough:
            break
        start = cut
    return counted


def _matches(
    text: str, highlights: Highlights, size: int, *, give_up: bool = False
) -> tuple[list[tuple[int, Token]], bool] | None:
    """(word number, token) of every matched word, in order — numbers exact between words fewer than
    ``size`` apart, and at least ``size`` apart otherwise — and whether every place was weighed.
    None if ``give_up`` and the places crowd the text (more than one per ``DENSE`` characters): then
    analysing it whole costs less than weighing each place."""
    pattern = candidates(highlights)
    stretches: list[list[int]] = []
    complete = True
    for n, place in enumerate(pattern.finditer(text) if pattern else ()):
        if n >= MAX_SPOTS:
            complete = False
            break
        if give_up and n >= CROWD and n * DENSE > len(text):
            return None
        start, end = place.span()
        if stretches and start < stretches[-1][1] + MERGE:
            stretches[-1][1] = max(stretches[-1][1], _edge_after(text, end))
        else:
            low = _edge_before(text, start)
            stretches.append([max(low, stretches[-1][1]) if stretches else low, _edge_after(text, end)])
    found: list[tuple[int, Token]] = []
    for start, end in stretches:
        tokens = analyze(text[start:end])
        hits = matched(tokens, highlights)
        if not hits:  # the scan's false alarm: nothing to number
            continue
        first = tokens[hits[0]]
        number = 0  # numbers are relative: only their differences count
        if found:  # words between the last match and this one: counted, as far as it matters
            previous = found[-1]
            number = previous[0] + 1 + _count(text, previous[1].end, first.start + start, size)
        found += [
            (
                number + k - hits[0],
                tokens[k]._replace(start=tokens[k].start + start, end=tokens[k].end + start),
            )
            for k in hits
        ]
    return found, complete


def _best_first(matched: list[tuple[int, Token]], size: int) -> Token | None:
    """``_best`` on numbered matches: the first matched word of the window of ``size`` words with the
    most distinct matched words (then the most matches); the earliest such window wins ties."""
    if not matched:
        return None
    _, at = _best_window([n for n, _ in matched], [tok.exact for _, tok in matched], size)
    return matched[at][1]


def _best_window(numbers: list[int], forms: list[str], size: int) -> tuple[tuple[int, int], int]:
    """(score, i): over windows of matches whose word numbers lie within ``size`` of each other, the
    best (distinct forms, matches) and where its first match is; the earliest window wins ties. The
    forms in the window are counted as it slides, so a text full of matches costs one pass, not one
    set per match."""
    in_window: dict[str, int] = {}
    best_score, first, left = (-1, -1), 0, 0
    for right, number in enumerate(numbers):
        in_window[forms[right]] = in_window.get(forms[right], 0) + 1
        while number - numbers[left] >= size:
            form = forms[left]
            in_window[form] -= 1
            if not in_window[form]:
                del in_window[form]
            left += 1
        score = (len(in_window), right - left + 1)
        if score > best_score:
            first, best_score = left, score
    return best_score, first


def _lead_start(text: str, at: int) -> int:
    """Where a fragment whose first match starts at ``at`` begins: LEAD_TOKENS words earlier, or at 0
    if there are no more words than that before it (as ``_best`` and ``snippet`` choose)."""
    reach = LEAD_STEP
    while True:
        low = _edge_before(text, max(0, at - reach))
        starts = deque(map(_START, TOKEN_RE.finditer(text, low, at)), maxlen=LEAD_TOKENS + 1)
        if len(starts) > LEAD_TOKENS:  # where the LEAD_TOKENS-th word before ``at`` starts
            return starts[1]
        if low == 0:
            return 0
        if reach > LONG_TEXT:  # no words for pages: start at the earliest one found
            return starts[0] if starts else at
        reach *= 4


def _fragment_end(text: str, start: int, size: int) -> int | None:
    """Where the fragment of ``size`` words from ``start`` (0 or where a word starts) ends: the end of
    its last word, or the end of the text if no word follows; None if there is no word from ``start``.
    Words are looked for no further than 4 * LONG_TEXT characters (a text of no words for pages)."""
    high = _edge_after(text, start + 4 * LONG_TEXT)
    words = TOKEN_RE.finditer(text, start, high)
    last = None
    for last in islice(words, size):
        pass
    if last is None:
        return None
    if next(words, None) is None and high >= len(text):  # no word follows: the text's end
        return len(text)
    return last.end()


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
