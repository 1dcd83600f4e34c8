"""Highlighted text as the search layer hands it out: plain text plus the character spans to mark.

The search layer knows which words matched; how a mark looks belongs to whoever shows it (HTML for the
API and the page, a rich style in a terminal). Handing out raw text and offsets, never markup, lets
each consumer escape for its own medium exactly once, and none has to parse another's markup back out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Marked:
    """``text`` with ``spans`` marked: character (code point) offsets ``[start, end)`` into ``text``,
    sorted and non-overlapping (touching is allowed: two words with nothing between them stay two
    marks). Anything added around a cut-out fragment, such as an ellipsis, is part of ``text``."""

    text: str = ""
    spans: tuple[Span, ...] = ()

    def __post_init__(self) -> None:
        # checked once here, so no formatter has to guard against spans that would repeat or drop text
        cursor = 0
        for start, end in self.spans:
            if not cursor <= start < end <= len(self.text):
                raise ValueError(
                    f"span ({start}, {end}) is out of order, empty or outside a text of {len(self.text)}"
                )
            cursor = end

    def parts(self) -> Iterator[tuple[str, bool]]:
        """The text cut at the spans, in order, as (piece, marked); empty pieces are left out.
        Every formatter walks these, so the cutting is done in one place."""
        cursor = 0
        for start, end in self.spans:
            if start > cursor:
                yield self.text[cursor:start], False
            yield self.text[start:end], True
            cursor = end
        if cursor < len(self.text):
            yield self.text[cursor:], False

    @property
    def words(self) -> list[str]:
        """The marked pieces of text, in order."""
        return [self.text[start:end] for start, end in self.spans]
