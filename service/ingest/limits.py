"""Limits on what an article may carry, shared by every way in (file ingest, the API, the writer)."""

from __future__ import annotations

from collections.abc import Mapping

# Metadata values nested deeper than this are not kept: reading them back (serializing, copying,
# comparing) would recurse that deep, and one such article would break every listing that shows it.
MAX_METADATA_DEPTH = 32


def deeper_than(value: object, limit: int) -> bool:
    """Whether a JSON value nests more than ``limit`` levels (iterative: no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def too_deep_metadata(metadata: Mapping[str, object]) -> list[str]:
    """The keys of ``metadata`` whose values nest deeper than ``MAX_METADATA_DEPTH``."""
    return [str(key) for key, value in metadata.items() if deeper_than(value, MAX_METADATA_DEPTH)]
