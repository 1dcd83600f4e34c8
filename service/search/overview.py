"""What the archive holds, at a glance: how many articles, which outlets (how many articles each, from
when to when), which sections, how many articles per month, and the latest additions.

Everything but the latest additions comes from one aggregation over the index's fast fields (no
article is read), worked out once per index state (``IndexFacts.derived``): at a million articles it
costs one pass over the columns after each commit, and nothing per page view after that. The latest
additions are the newest ids in the store (a primary-key walk), read with the search's own hit rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import tantivy
from sqlalchemy import Row, select

from service.db import Article
from service.search import periods
from service.search.engine import SearchService
from service.search.hits import hit_rows

MAX_OUTLETS = 1_000
MAX_SECTIONS = 200


@dataclass(frozen=True)
class OutletSpan:
    name: str
    articles: int
    first: date | None  # its earliest dated article
    last: date | None


@dataclass(frozen=True)
class Overview:
    articles: int  # in the index
    dated: int  # with a publication date
    first: date | None
    last: date | None
    outlets: tuple[OutletSpan, ...]  # most articles first
    sections: tuple[tuple[str, int], ...]  # most articles first
    months: tuple[tuple[str, int], ...]  # (first day, articles), every month from the first to the last


def _day(value: float | None) -> date | None:
    return None if value is None else date.fromisoformat(periods.start("day", value))


def _read(searcher: tantivy.Searcher) -> Overview:
    span = {"lo": {"min": {"field": "day"}}, "hi": {"max": {"field": "day"}}}
    result: dict[str, Any] = searcher.aggregate(
        tantivy.Query.all_query(),
        {
            "outlets": {"terms": {"field": "source", "size": MAX_OUTLETS}, "aggs": span},
            "sections": {"terms": {"field": "section", "size": MAX_SECTIONS}},
            "months": periods.aggregation("month"),
        }
        | span,
    )
    counted = {periods.start("month", b["key"]): b["doc_count"] for b in result["months"]["buckets"]}
    months = (
        tuple((m, counted.get(m, 0)) for m in periods.span("month", min(counted), max(counted)))
        if counted
        else ()
    )
    outlets = tuple(
        OutletSpan(b["key"], b["doc_count"], _day(b["lo"]["value"]), _day(b["hi"]["value"]))
        for b in result["outlets"]["buckets"]
    )
    return Overview(
        articles=searcher.num_docs,
        dated=sum(counted.values()),
        first=_day(result["lo"]["value"]),
        last=_day(result["hi"]["value"]),
        outlets=outlets,
        sections=tuple((b["key"], b["doc_count"]) for b in result["sections"]["buckets"]),
        months=months,
    )


def archive_overview(service: SearchService) -> Overview:
    """The overview of the index as it is now; computed once per index state."""
    searcher, facts = service.snapshot()
    return facts.derived(("overview",), lambda: _read(searcher))


def latest_additions(service: SearchService, limit: int = 8) -> Sequence[Row[Any]]:
    """The articles most recently added to the archive (newest id first), as hit rows."""
    db = service.archive.db
    with db.reading() as session:
        ids = list(session.scalars(select(Article.id).order_by(Article.id.desc()).limit(limit)))
    rows = {row.id: row for row in hit_rows(db, ids, body=False)}
    return [rows[i] for i in ids if i in rows]


__all__ = ["OutletSpan", "Overview", "archive_overview", "latest_additions"]
