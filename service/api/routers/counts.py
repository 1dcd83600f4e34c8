"""Counts over time: articles per period for several queries, split by outlet, normalised (JSON, CSV)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from service.api.routers.search import ERRORS, DateFrom, DateTo, MatchParam, Sections, Sources
from service.api.schemas import CountSeriesOut, CountsOut
from service.search.counts import MAX_QUERIES, Counts, counts_for, csv_text
from service.server.deps import SearchDep, require_read

router = APIRouter(prefix="/api", tags=["search"], dependencies=[Depends(require_read)])

Queries = Annotated[
    list[str] | None,
    Query(
        alias="q",
        max_length=10_000,
        description=f"Query (repeatable, at most {MAX_QUERIES}; none: every article) / الاستعلام",
        examples=[["ترامب", "بوتين"]],
    ),
]
IntervalParam = Annotated[Literal["day", "week", "month"], Query(description="Period of each count")]
Split = Annotated[Literal["source"] | None, Query(description="source: one series per query and outlet")]
Normalize = Annotated[
    bool,
    Query(
        description="Also give each count as a share of all articles in its period (of its outlet when split)"
    ),
]
Format = Annotated[Literal["json", "csv"], Query(description="json (default) or csv")]


def counts_csv(counts: Counts) -> Response:
    return Response(
        csv_text(counts),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="arshif-counts.csv"'},
    )


def _out(counts: Counts) -> CountsOut:
    return CountsOut(
        interval=counts.interval,
        split="source" if counts.split else None,
        normalized=counts.normalized,
        periods=counts.periods,
        series=[
            CountSeriesOut(
                query=s.query, source=s.source, total=s.total, counts=s.counts, bases=s.bases, shares=s.shares
            )
            for s in counts.series
        ],
    )


CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "period,query,source,count,base,share"}
}


def counted(
    service: SearchDep,
    q: Queries = None,
    interval: IntervalParam = "month",
    split: Split = None,
    normalize: Normalize = False,
    match: MatchParam = "all",
    source: Sources = None,
    section: Sections = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
) -> Counts:
    """The counts both routes answer, from one parameter list."""
    return counts_for(service, q, interval, split, normalize, match, source, section, date_from, date_to)


Counted = Annotated[Counts, Depends(counted)]


@router.get(
    "/counts",
    response_model=CountsOut,
    responses={**ERRORS, 200: {"content": {"application/json": {}, "text/csv": {}}}},
    summary="Articles per period for several queries / عدد المقالات عبر الزمن لعدة استعلامات",
)
def counts(found: Counted, format: Format = "json") -> CountsOut | Response:
    """Each query is searched as `/api/search` would (same syntax, filters and fallback); its matches
    are counted per period, per outlet if `split=source`. With `normalize=true`, `shares` gives each
    count as a part of all the articles of that period (of that outlet), as in Media Cloud's
    attention-over-time. Duplicates are not folded. `format=csv` or `/api/counts.csv` for a table."""
    return counts_csv(found) if format == "csv" else _out(found)


@router.get(
    "/counts.csv",
    responses={**ERRORS, **CSV_RESPONSE},
    response_class=Response,
    summary="The same counts as CSV / العدّ نفسه بصيغة CSV",
)
def counts_as_csv(found: Counted) -> Response:
    return counts_csv(found)
