"""Search and export."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from service.api.schemas import Problem, SearchOut
from service.db import Article
from service.export import write_export
from service.search.engine import MAX_OFFSET, SearchRequest
from service.search.request import make_request
from service.server.deps import MetricsDep, SearchDep, require_read

router = APIRouter(prefix="/api", tags=["search"], dependencies=[Depends(require_read)])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "Bad query, date or cursor / استعلام أو تاريخ غير صالح"},
    422: {"model": Problem, "description": "Invalid parameter / معامل غير صالح"},
}

Q = Annotated[
    str,
    Query(
        max_length=10_000,
        description='Query / الاستعلام: words (AND), OR, -word, "exact phrase", word*, word~, title:, source:, from:2018-02-01',
        examples=['"دير الزور" قسد', "ترامب OR ترمب", "بوتين -روسيا", "source:BBC from:2018-02"],
    ),
]
DateParam = Annotated[
    str | None,
    Query(description="2018-02-17, 2018-02 or 2018 (Arabic-Indic digits welcome)", examples=["2018-02-01"]),
]
# What search and export both take, declared once so their documentation cannot drift apart.
MatchParam = Annotated[
    Literal["all", "any"], Query(description="all: every word; any: any word, ranked (BM25)")
]
SortParam = Literal["relevance", "newest", "oldest"]
Sources = Annotated[list[str] | None, Query(description="Outlet (repeatable) / المصدر", examples=["BBC"])]
Authors = Annotated[list[str] | None, Query(description="Author (repeatable) / الكاتب")]
Sections = Annotated[list[str] | None, Query(description="Section (repeatable) / القسم")]
DateFrom = Annotated[DateParam, Query(alias="from")]
NoCorrect = Annotated[
    bool,
    Query(
        description="Search the query exactly as typed, never its spelling correction"
        " / ابحث عن الاستعلام كما كُتب دون تصحيح"
    ),
]
DateTo = Annotated[DateParam, Query(alias="to")]


async def build_request(  # async: parsing never blocks, and a plain def would cost a thread hand-off
    service: SearchDep,
    q: Q = "",
    match: MatchParam = "all",
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    cursor: Annotated[
        str | None, Query(max_length=500, description="next_cursor of the previous page")
    ] = None,
    sort: SortParam = "relevance",
    source: Sources = None,
    author: Authors = None,
    section: Sections = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    fold_duplicates: Annotated[
        bool, Query(description="Fold near-duplicate clusters to their best member")
    ] = True,
    facets: Annotated[bool, Query(description="Count sources, authors, sections, years, months")] = False,
    histogram: Annotated[
        Literal["day", "week", "month"] | None, Query(description="Matches per day/week/month")
    ] = None,
    nocorrect: NoCorrect = False,
) -> SearchRequest:
    request = make_request(
        q,
        match=match,
        limit=limit,
        offset=offset,
        sort=sort,
        sources=source,
        authors=author,
        sections=section,
        date_from=date_from,
        date_to=date_to,
        fold=fold_duplicates,
        facets=facets,
        histogram=histogram,
        correct=not nocorrect,
    )
    if cursor:
        request.offset = service.decode_cursor(request, cursor)
    return request


@router.get(
    "/search", response_model=SearchOut, responses=ERRORS, summary="Search the archive / البحث في الأرشيف"
)
def search(
    search_request: Annotated[SearchRequest, Depends(build_request)],
    service: SearchDep,
    metrics: MetricsDep,
) -> SearchOut:
    response = service.search(search_request)
    metrics.search_latency.observe(response.took_ms / 1000)
    return SearchOut.model_validate(response, from_attributes=True)


@router.get(
    "/export",
    responses={
        **ERRORS,
        200: {
            "content": {"application/x-ndjson": {}, "text/csv": {}},
            "description": "Every matching article",
        },
    },
    summary="Export every hit of a query / تصدير كل نتائج البحث",
)
def export(
    service: SearchDep,
    q: Q = "",
    format: Literal["jsonl", "csv"] = "jsonl",
    match: MatchParam = "all",
    sort: SortParam = "newest",
    source: Sources = None,
    author: Authors = None,
    section: Sections = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    nocorrect: NoCorrect = False,
) -> StreamingResponse:
    request = make_request(
        q,
        match=match,
        sort=sort,
        sources=source,
        authors=author,
        sections=section,
        date_from=date_from,
        date_to=date_to,
        fold=False,
        snippets=False,
        correct=not nocorrect,
    )
    articles = service.iter_matches(request)  # planned here: a bad query is refused before the 200 is sent
    first = next(articles, None)  # and the store's errors, if it fails, surface here too

    def chain() -> Iterator[Article]:
        if first is not None:
            yield first
        yield from articles

    media = "application/x-ndjson; charset=utf-8" if format == "jsonl" else "text/csv; charset=utf-8"
    return StreamingResponse(
        write_export(chain(), format),
        media_type=media,
        headers={"content-disposition": f'attachment; filename="arshif-export.{format}"'},
    )
