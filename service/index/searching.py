"""Typed reads from a tantivy searcher, shared by the index and search layers.

tantivy's stubs (``tantivy.pyi``) lack ``SearchResult.count`` and type fast field values loosely
(``int | float | bool | None``); these helpers keep those workarounds in one place.
"""

from __future__ import annotations

import tantivy


def count_matches(searcher: tantivy.Searcher, query: tantivy.Query) -> int:
    """How many documents match ``query``."""
    result = searcher.search(query, limit=1, count=True)
    return result.count  # type: ignore[attr-defined]  # tantivy's stubs lack SearchResult.count


def fast_ints(searcher: tantivy.Searcher, field_name: str, addresses: list[tantivy.DocAddress]) -> list[int]:
    """An integer fast field's values at ``addresses``, in order (every document has ``id`` and
    ``cluster``; a document without the field is an error, as ``int(None)`` always was)."""
    return [_as_int(value) for value in searcher.fast_field_values(field_name, addresses)]


def _as_int(value: float | None) -> int:  # tantivy's int | float | bool | None (float covers all three)
    if value is None:
        raise TypeError("a document has no value in an integer fast field")
    return int(value)
