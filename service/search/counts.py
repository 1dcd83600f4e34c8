"""Attention over time: how many articles match each of several queries per period, optionally per
outlet, optionally as a share of all the articles in that period (of that outlet).

Each query goes through the search's own path — ``make_request`` built it, ``SearchService.plan``
parses, compiles, applies the filters and the "any word" fallback — and one tantivy aggregation over
its matches buckets them by period (``service/search/periods.py``), with the outlets as sub-buckets
when split. A share's denominator is the same request with no text (browsing within the same outlets,
sections, authors and dates), counted once per index state (``IndexFacts.derived``), as Media Cloud's
"attention over time" normalises by each outlet's volume. Counts are of articles, duplicates not folded.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from typing import Any

from service.errors import ArshifError
from service.export import csv_cell
from service.search import periods
from service.search.engine import SearchService
from service.search.request import Interval, SearchRequest, make_request

MAX_QUERIES = 10
MAX_PERIODS = 5_000
SPLIT_SIZE = 100  # outlets per query when split


@dataclass
class Series:
    query: str
    source: str | None  # the outlet, when split by outlet
    total: int
    counts: list[int]  # per period, aligned with ``Counts.periods``
    bases: list[int]  # articles in the period (of the outlet, within the filters): the share's denominator
    shares: list[float] | None  # counts / bases, when normalised (0 where the base is 0)


@dataclass
class Counts:
    interval: Interval
    split: str | None
    normalized: bool
    periods: list[str]  # each period's first day, ISO
    series: list[Series]


def check_queries(queries: list[str]) -> list[str]:
    """At least one query (a blank one counts every article), at most ``MAX_QUERIES``."""
    queries = queries or [""]
    if len(queries) > MAX_QUERIES:
        raise ArshifError(
            f"يمكن مقارنة {MAX_QUERIES} استعلامات على الأكثر، وفي الطلب {len(queries)}",
            f"at most {MAX_QUERIES} queries can be compared ({len(queries)} given)",
            type="too-many-queries",
        )
    return queries


def _buckets(
    service: SearchService, request: SearchRequest, interval: Interval, split: bool
) -> dict[tuple[str, str | None], int]:
    """(period start, outlet or None) → matching articles."""
    searcher, facts = service.snapshot()
    planned = service.plan(request, searcher, facts)
    agg = periods.aggregation(interval)
    if split:
        agg = agg | {"aggs": {"s": {"terms": {"field": "source", "size": SPLIT_SIZE}}}}
    result = searcher.aggregate(planned.query, {"p": agg})
    out: dict[tuple[str, str | None], int] = {}
    for bucket in result["p"]["buckets"]:
        if not bucket["doc_count"]:
            continue
        when = periods.start(interval, bucket["key"])
        if split:
            for sub in bucket["s"]["buckets"]:
                out[(when, sub["key"])] = sub["doc_count"]
        else:
            out[(when, None)] = bucket["doc_count"]
    return out


def _base(
    service: SearchService, request: SearchRequest, interval: Interval, split: bool
) -> dict[tuple[str, str | None], int]:
    """The denominators: the same filters, no text; once per index state."""
    browse = replace(request, q="", match="all")
    key = ("counts-base", interval, split, browse.fingerprint())
    return service.snapshot()[1].derived(key, lambda: _buckets(service, browse, interval, split))


def count_queries(
    service: SearchService,
    requests: list[SearchRequest],
    interval: Interval = "month",
    *,
    split: bool = False,
    normalize: bool = False,
) -> Counts:
    """Per-period counts of each request's matches (and per outlet if ``split``); shares if ``normalize``."""
    found = [_buckets(service, r, interval, split) for r in requests]
    starts = sorted({when for counted in found for when, _ in counted})
    axis: list[str] = []
    if starts:
        if periods.count(interval, starts[0], starts[-1]) > MAX_PERIODS:
            raise ArshifError(
                f"الفترة طويلة جدًا لهذا التقسيم (أكثر من {MAX_PERIODS} فترة): اختر تقسيمًا أطول أو ضيّق التاريخ",
                f"more than {MAX_PERIODS} periods: choose a longer interval or narrow the dates",
                type="too-many-periods",
            )
        axis = periods.span(interval, starts[0], starts[-1])
    series: list[Series] = []
    for request, counted in zip(requests, found):
        base = _base(service, request, interval, split)
        outlets: list[str | None] = [None]
        if split:
            totals: dict[str, int] = {}
            for (_, outlet), n in counted.items():
                if outlet is not None:
                    totals[outlet] = totals.get(outlet, 0) + n
            outlets = [o for o, _ in sorted(totals.items(), key=lambda item: (-item[1], item[0]))]
        for outlet in outlets:
            counts = [counted.get((when, outlet), 0) for when in axis]
            bases = [base.get((when, outlet), 0) for when in axis]
            shares = [round(c / b, 6) if b else 0.0 for c, b in zip(counts, bases)] if normalize else None
            series.append(Series(request.q, outlet, sum(counts), counts, bases, shares))
    return Counts(interval, "source" if split else None, normalize, axis, series)


def counts_for(
    service: SearchService,
    queries: list[str] | None,
    interval: Interval = "month",
    split: str | None = None,
    normalize: bool = False,
    match: str = "all",
    sources: list[str] | None = None,
    sections: list[str] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
) -> Counts:
    """The counts for what a user asked (the API's parameters, the timeline page's too): each query
    made into a request as the search makes it, blank ones dropped (none at all: every article)."""
    requests = [
        make_request(
            q,
            match=match,
            sources=sources,
            sections=sections,
            date_from=date_from,
            date_to=date_to,
            limit=0,
            snippets=False,
        )
        for q in check_queries([q for q in queries or [] if q.strip()])
    ]
    return count_queries(service, requests, interval, split=split == "source", normalize=normalize)


def csv_rows(counts: Counts) -> list[list[Any]]:
    """The counts as a table, one row per series and period (long form: easy to pivot or plot)."""
    rows: list[list[Any]] = [["period", "query", "source", "count", "base", "share"]]
    for s in counts.series:
        for i, when in enumerate(counts.periods):
            share = s.shares[i] if s.shares is not None else (s.counts[i] / s.bases[i] if s.bases[i] else 0)
            rows.append([when, s.query, s.source or "", s.counts[i], s.bases[i], round(share, 6)])
    return rows


def csv_text(counts: Counts) -> str:
    """The table as CSV (UTF-8 with a BOM, as the exports, for Excel), cells safe from formula injection."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    for row in csv_rows(counts):
        writer.writerow([csv_cell(cell) for cell in row])
    return out.getvalue()


__all__ = [
    "MAX_QUERIES",
    "Counts",
    "Series",
    "check_queries",
    "count_queries",
    "counts_for",
    "csv_rows",
    "csv_text",
]
