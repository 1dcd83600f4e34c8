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
from service.search.query import Node, Phrase, Term, positive_terms

ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهويةى"
RARE_DOCS = 3  # a word in at most this many articles may be a typo the search corrects
CLEARLY_BETTER = 10  # the corrected query must find this many times as many articles (or the typed none)
MAX_NEIGHBOURS = 5  # candidates weighed against the words beside a misspelt one
# a shorter word is corrected only when asked ("did you mean"): a one-edit neighbour of قسد is قد, of
# داعش داعي; Meilisearch's default tolerates no typo below five letters either (minWordSizeForTypos)
MIN_CORRECTED_LETTERS = 5


def suggest(
    q: str,
    root: Node,
    facts: IndexFacts,
    *,
    rare_only: bool = False,
    together: Callable[[tuple[str, str]], int] | None = None,
) -> str | None:
    """``q`` with each word replaced by its best one-edit neighbour in the index (None if no word has
    one). ``rare_only``: only words held by at most ``RARE_DOCS`` articles — the typos the search may
    correct by itself; a plain "did you mean" looks at every word. The best neighbour is the one found
    most often beside the query's next or previous word (``together``: articles holding two words
    side by side — مجلس الانن is مجلس الامن, not the commoner الان), else the most frequent."""

    def df(word: str) -> int:
        return facts.doc_freq("text_exact", word)

    terms = positive_terms(root)
    words = [_plain_word(node) for node in terms]
    suggestion, changed = q, False
    for i, (node, word) in enumerate(zip(terms, words)):
        if word is None or (rare_only and (df(word) > RARE_DOCS or len(word) < MIN_CORRECTED_LETTERS)):
            continue
        found = facts.derived(("neighbours", word), partial(neighbours, word, df))
        if not found:
            continue
        best = found[0]
        left = words[i - 1] if i else None
        right = words[i + 1] if i + 1 < len(words) else None
        if together is not None and (left or right) and len(found) > 1:

            def seen(candidate: str, left: str | None = left, right: str | None = right) -> int:
                return (together((left, candidate)) if left else 0) + (
                    together((candidate, right)) if right else 0
                )

            beside = max(found, key=seen)  # the first (most frequent) of equals
            best = beside if seen(beside) > 0 else best
        assert isinstance(node, Term)
        suggestion, changed = suggestion.replace(node.text, best, 1), True
    return suggestion if changed else None


def _plain_word(node: Term | Phrase) -> str | None:
    """The exact form of a bare one-token word of the query (None for a phrase, a prefix, a fuzzy
    word, a stop word or a word too long to be a name)."""
    if not isinstance(node, Term) or node.prefix or node.fuzzy:
        return None
    tokens = analyze_query_word(node.text)
    if len(tokens) != 1 or tokens[0].exact in STOPWORDS or len(tokens[0].exact) > variants.MAX_WORD:
        return None
    return tokens[0].exact


def clearly_better(typed_total: int, corrected_total: int) -> bool:
    """Whether the corrected query's articles outnumber the typed query's enough to show them instead."""
    return corrected_total > 0 and corrected_total >= CLEARLY_BETTER * typed_total


def neighbours(word: str, df: Callable[[str], int]) -> list[str]:
    """The one-edit neighbours (and spelling variants) of ``word`` held by at least ten times as many
    articles as ``word`` (by one at least), the ``MAX_NEIGHBOURS`` most frequent, most frequent first."""
    threshold = max(1, df(word) * 10)  # a suggestion must be far more common than what was typed
    counted = {}
    for candidate in edits(word) | variants.candidates(word):
        candidate = normalize(candidate)
        # a stop word is never what a misspelt word meant: it would drop the word from the search
        if candidate != word and candidate not in counted and candidate not in STOPWORDS:
            counted[candidate] = df(candidate)
    common = sorted((c for c, n in counted.items() if n >= threshold), key=lambda c: (-counted[c], c))
    return common[:MAX_NEIGHBOURS]


def edits(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    subs = {a + c + b[1:] for a, b in splits if b for c in ARABIC_LETTERS}
    inserts = {a + c + b for a, b in splits for c in ARABIC_LETTERS}
    return {w for w in deletes | swaps | subs | inserts if len(w) >= 2}


__all__ = [
    "CLEARLY_BETTER",
    "MAX_NEIGHBOURS",
    "MIN_CORRECTED_LETTERS",
    "RARE_DOCS",
    "clearly_better",
    "edits",
    "neighbours",
    "suggest",
]
