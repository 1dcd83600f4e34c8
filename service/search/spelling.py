"""Did you mean, and the typo correction that acts on it.

A word of the query that the index holds in at most ``RARE_DOCS`` articles (unknown, or a typo others
made too) and whose one-edit neighbour or spelling variant is held by at least ten times as many is a
likely typo; the query with every such word replaced is the *corrected query*. The plan
(``service/search/plan.py``) searches the corrected query instead of the typed one when it is clearly
better — the typed one (all words) finds nothing, or ``CLEARLY_BETTER`` times fewer — and says so, as
typo-tolerant engines do ("showing results for …, search instead for …"). Otherwise the correction is
only offered ("هل تقصد"). One function, ``suggest``, makes both.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from service.analysis import STOPWORDS, analyze_query_word, normalize
from service.search import variants
from service.search.facts import IndexFacts
from service.search.query import Node, Term, positive_terms

ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهويةى"
RARE_DOCS = 3  # a word in at most this many articles may be a typo the search corrects
CLEARLY_BETTER = 10  # the corrected query must find this many times as many articles (or the typed none)


def suggest(q: str, root: Node, facts: IndexFacts, *, rare_only: bool = False) -> str | None:
    """``q`` with each word replaced by its most frequent one-edit neighbour in the index (None if no
    word has one). ``rare_only``: only words held by at most ``RARE_DOCS`` articles — the typos the
    search may correct by itself; a plain "did you mean" looks at every word."""

    def df(word: str) -> int:
        return facts.doc_freq("text_exact", word)

    suggestion, changed = q, False
    for node in positive_terms(root):
        if not isinstance(node, Term) or node.prefix or node.fuzzy:
            continue
        tokens = analyze_query_word(node.text)
        if len(tokens) != 1 or tokens[0].exact in STOPWORDS or len(tokens[0].exact) > variants.MAX_WORD:
            continue
        word = tokens[0].exact
        if rare_only and df(word) > RARE_DOCS:
            continue
        best = facts.derived(("suggest", word), partial(most_frequent_neighbour, word, df))
        if best:
            suggestion, changed = suggestion.replace(node.text, best, 1), True
    return suggestion if changed else None


def clearly_better(typed_total: int, corrected_total: int) -> bool:
    """Whether the corrected query's articles outnumber the typed query's enough to show them instead."""
    return corrected_total > 0 and corrected_total >= CLEARLY_BETTER * typed_total


def most_frequent_neighbour(word: str, df: Callable[[str], int]) -> str | None:
    """The one-edit neighbour (or spelling variant) of ``word`` held by the most articles, if it is held
    by at least ten times as many as ``word`` (by one at least)."""
    threshold = max(1, df(word) * 10)  # a suggestion must be far more common than what was typed
    best, best_df = None, 0
    for candidate in edits(word) | variants.candidates(word):
        candidate = normalize(candidate)
        count = df(candidate) if candidate != word else 0
        if count >= threshold and count > best_df:
            best, best_df = candidate, count
    return best


def edits(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    subs = {a + c + b[1:] for a, b in splits if b for c in ARABIC_LETTERS}
    inserts = {a + c + b for a, b in splits for c in ARABIC_LETTERS}
    return {w for w in deletes | swaps | subs | inserts if len(w) >= 2}


__all__ = ["CLEARLY_BETTER", "RARE_DOCS", "clearly_better", "edits", "most_frequent_neighbour", "suggest"]
