"""Facts of one index state that every query asks again, asked once per state.

Compiling a query asks the index many small questions whose answers only a commit can change: how
many articles hold a form (spelling variants, compounds, "did you mean"), how each outlet uses a word
(the variants' outlet test: one aggregation over every article holding it, O(its articles) and so
growing with the archive), how many outlets there are, which facet values exist (a facet filter
compares against all of them), whether a respelled phrase occurs at all. They used to be asked again
by every query. ``IndexFacts`` keeps the answers for one state of the index — ``SearchIndex.snapshot``
numbers the states, and a new number means new facts — so a word's statistics cost once per commit,
not once per query.

Each table holds at most ``MAX_ENTRIES`` answers and starts afresh beyond (as the analyzer's word cache
does): memory stays bounded however long a state lives. Answers are plain values; two threads may
compute the same one twice, never a wrong one.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import tantivy

from service.index.searching import count_matches

MAX_ENTRIES = 100_000
MAX_OUTLETS = 1_000  # outlets counted for the variants' test (an archive has tens)
FACET_TERMS = 100_000  # facet values read per field (every outlet, author and section)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _remember(table: dict[K, V], key: K, compute: Callable[[], V]) -> V:
    try:
        return table[key]
    except KeyError:
        if len(table) >= MAX_ENTRIES:
            table.clear()
        value = table[key] = compute()
        return value


class IndexFacts:
    """Answers read from ``searcher`` — one state of the index (``state``, None for a private table
    that lives as long as its user). Every method answers as the searcher itself would."""

    def __init__(self, searcher: tantivy.Searcher, state: int | None = None) -> None:
        self.searcher = searcher
        self.state = state
        self._doc_freqs: dict[tuple[str, str], int] = {}
        self._outlets: dict[str, dict[str, int]] = {}
        self._counts: dict[Hashable, int] = {}
        self._facets: dict[str, list[str]] = {}
        self._derived: dict[Hashable, Any] = {}
        self._outlet_count: int | None = None

    def doc_freq(self, field: str, term: str) -> int:
        """Articles holding ``term`` in ``field``."""
        return _remember(self._doc_freqs, (field, term), lambda: self.searcher.doc_freq(field, term))

    def outlets(self, schema: tantivy.Schema, exact: str) -> dict[str, int]:
        """How many articles of each outlet contain this exact form."""

        def aggregate() -> dict[str, int]:
            query = tantivy.Query.term_query(schema, "text_exact", exact)
            result = self.searcher.aggregate(query, {"s": {"terms": {"field": "source", "size": 200}}})
            return {b["key"]: b["doc_count"] for b in result["s"]["buckets"]}

        return _remember(self._outlets, exact, aggregate)

    def outlet_count(self) -> int:
        if self._outlet_count is None:
            self._outlet_count = len(self.searcher.terms_with_prefix("source", "", limit=MAX_OUTLETS))
        return self._outlet_count

    def count(self, key: Hashable, query: tantivy.Query | Callable[[], tantivy.Query]) -> int:
        """Articles matching ``query`` (or what it builds, built only if the count is not known yet),
        which ``key`` names completely: the same key, the same matches."""

        def counted() -> int:
            return count_matches(self.searcher, query() if callable(query) else query)

        return _remember(self._counts, key, counted)

    def derived(self, key: Hashable, compute: Callable[[], V]) -> V:
        """What ``compute`` works out from this state's answers alone (a word's spelling variants, its
        "did you mean"), which ``key`` names completely: worked out once per state."""
        value: V = _remember(self._derived, key, compute)
        return value

    def known(self, key: Hashable) -> Any:
        """What ``derived`` worked out for ``key`` on this state, or None if nothing yet."""
        return self._derived.get(key)

    def facet_terms(self, field: str) -> list[str]:
        """Every value a facet field holds."""
        return _remember(
            self._facets,
            field,
            lambda: [t for t, _df in self.searcher.terms_with_prefix(field, "", limit=FACET_TERMS)],
        )


__all__ = ["IndexFacts"]
