"""A search request, and the one way to build one from what a user typed.

The API's search and export, the search page and the CLI all take the same things from a person — a
query, a match mode, an order, outlets, authors, sections, a "from" and a "to" date as typed (2018,
2018-02, ٢٠١٨-٠٢-١٧), a page, folding — and each used to turn them into a ``SearchRequest`` its own way,
dates included. ``make_request`` is that step, once: the front ends differ only in where the values
come from and in their defaults.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Literal, cast, get_args

from service.errors import ArshifError
from service.search.query import date_bounds

Sort = Literal["relevance", "newest", "oldest"]
Match = Literal["all", "any"]
Interval = Literal["day", "week", "month"]

SORTS: tuple[str, ...] = get_args(Sort)
MATCHES: tuple[str, ...] = get_args(Match)


@dataclass
class SearchRequest:
    q: str = ""
    match: Match = "all"
    limit: int = 10
    offset: int = 0
    sort: Sort = "relevance"
    sources: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    date_from: datetime | None = None
    date_to: datetime | None = None  # exclusive
    fold: bool = True
    facets: bool = False
    histogram: Interval | None = None
    snippets: bool = True
    # False: search the query as typed, never its spelling correction (service/search/spelling.py)
    correct: bool = True

    def fingerprint(self) -> str:
        # the fields as they are (``asdict`` deep-copies every list, a tenth of a millisecond per search);
        # the same JSON, so cursors signed before stay valid
        data = {f.name: getattr(self, f.name) for f in fields(self)} | {"offset": 0, "limit": 0}
        if self.correct:  # the default, left out: cursors signed before the field existed stay valid
            del data["correct"]
        return hashlib.sha256(json.dumps(data, default=str, sort_keys=True).encode()).hexdigest()[:16]


def make_request(
    q: str = "",
    *,
    match: str = "all",
    sort: str = "relevance",
    sources: Iterable[str] | None = None,
    authors: Iterable[str] | None = None,
    sections: Iterable[str] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    limit: int = 10,
    offset: int = 0,
    fold: bool = True,
    facets: bool = False,
    histogram: Interval | None = None,
    snippets: bool = True,
    correct: bool = True,
) -> SearchRequest:
    """The request for what a user asked, whoever asked (API, page, CLI). ``date_from``/``date_to``
    are dates as typed, "to" inclusive of its whole day, year or month (``invalid-date`` otherwise); a
    sort or match mode outside the known ones is refused in both languages (the API's own validation
    stops them earlier, the CLI's options do not)."""
    if sort not in SORTS:
        raise ArshifError(
            "الترتيب يجب أن يكون relevance أو newest أو oldest",
            "sort must be relevance, newest or oldest",
            type="invalid-sort",
        )
    if match not in MATCHES:
        raise ArshifError("المطابقة يجب أن تكون all أو any", "match must be all or any", type="invalid-match")
    start, end = date_bounds(date_from, date_to)
    return SearchRequest(
        q=q,
        match=cast(Match, match),  # checked above
        limit=limit,
        offset=offset,
        sort=cast(Sort, sort),
        sources=list(sources or []),
        authors=list(authors or []),
        sections=list(sections or []),
        date_from=start,
        date_to=end,
        fold=fold,
        facets=facets,
        histogram=histogram,
        snippets=snippets,
        correct=correct,
    )


__all__ = ["MATCHES", "SORTS", "Interval", "Match", "SearchRequest", "Sort", "make_request"]
