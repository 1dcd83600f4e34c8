"""The pages that show the archive as a whole: its statistics (``/stats``) and the timeline of several
queries (``/timeline``), split by outlet and normalised if asked, with the same counts as ``/api/counts``."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from service.errors import ArshifError
from service.search.counts import MAX_QUERIES, Counts, counts_for
from service.search.overview import archive_overview
from service.server.deps import ArchiveDep, FollowerDep, SearchDep, require_read
from service.server.stats import archive_stats
from service.web.charts import PALETTE, Line, color_class, line_chart
from service.web.pages import PageState, months_chart, templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_read)])

INTERVALS = {"month": "شهري", "week": "أسبوعي", "day": "يومي"}
MAX_TABLE_CELLS = 6_000  # beyond, the page offers the CSV instead of a table of every count
X_TITLES = {"month": "الشهر", "week": "الأسبوع (من الاثنين)", "day": "اليوم"}
# lines one chart draws, each its own colour (the table and the CSV keep every series)
MAX_LINES = len(PALETTE)


@router.get("/stats", response_class=HTMLResponse)
def stats_page(
    request: Request, archive: ArchiveDep, follower: FollowerDep, search: SearchDep
) -> HTMLResponse:
    overview = archive_overview(search)
    context = {
        "stats": archive_stats(archive, follower),
        "overview": overview,
        "months_chart": months_chart(overview.months),
        "state": PageState({}),
        "q": "",
    }
    return templates.TemplateResponse(request, "stats.html", context)


def _series_label(query: str, source: str | None) -> str:
    shown = query or "كل المقالات"
    return f"{shown} — {source}" if source else shown


def _chart(counts: Counts) -> tuple[Any, list[dict[str, Any]]]:
    """The chart of the largest series, and the legend of every series (colour, label, total)."""
    ranked = sorted(range(len(counts.series)), key=lambda i: -counts.series[i].total)
    drawn = set(ranked[:MAX_LINES])  # unsplit, the queries (MAX_QUERIES) are never more
    lines: list[Line] = []
    legend: list[dict[str, Any]] = []
    for i, s in enumerate(counts.series):
        label = _series_label(s.query, s.source)
        entry = {"label": label, "total": s.total, "color": None, "query": s.query, "source": s.source}
        if i in drawn:
            entry["color"] = color_class(len(lines))
            lines.append(Line(label, s.shares if counts.normalized and s.shares is not None else s.counts))
        legend.append(entry)
    chart = line_chart(
        counts.periods,
        lines,
        interval=counts.interval,
        percent=counts.normalized,
        label="عدد المقالات عبر الزمن لكل استعلام" + (" ومصدر" if counts.split else ""),
        y_title="النسبة من مقالات المصدر" if counts.normalized else "عدد المقالات",
        x_title=X_TITLES[counts.interval],
    )
    return chart, legend


@router.get("/timeline", response_class=HTMLResponse)
def timeline_page(
    request: Request,
    search: SearchDep,
    q: Annotated[list[str] | None, Query(max_length=2000)] = None,
    interval: str = "month",
    split: str = "",
    normalize: str = "",
    source: Annotated[list[str] | None, Query(max_length=500)] = None,
    date_from: Annotated[str, Query(alias="from", max_length=40)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=40)] = "",
) -> HTMLResponse:
    queries = [text for text in q or [] if text.strip()]
    period: Literal["day", "week", "month"] = (
        "day" if interval == "day" else "week" if interval == "week" else "month"
    )
    by_source, normalized = split == "source", normalize in ("1", "true", "on")
    params = [("q", text) for text in queries] + [("interval", period)]
    params += [("split", "source")] if by_source else []
    params += [("normalize", "true")] if normalized else []
    params += [("source", s) for s in source or []]
    params += [("from", date_from)] if date_from else []
    params += [("to", date_to)] if date_to else []
    context: dict[str, Any] = {
        "state": PageState({}),
        "q": "",
        "queries": queries,
        "inputs": (queries + [""] * 3)[: max(3, len(queries) + 1)][:MAX_QUERIES],
        "interval": period,
        "intervals": INTERVALS,
        "split": by_source,
        "normalize": normalized,
        "sources": source or [],
        "date_from": date_from,
        "date_to": date_to,
        "csv_url": "/api/counts.csv?" + urlencode(params),
        "unscoped_url": "/timeline?" + urlencode([p for p in params if p[0] not in ("source", "from", "to")]),
        "json_url": "/api/counts?" + urlencode(params),
        "counts": None,
        "error": None,
    }
    status = 200
    if queries:
        try:
            counts = counts_for(
                search,
                queries,
                period,
                "source" if by_source else None,
                normalized,
                sources=source,
                date_from=date_from or None,
                date_to=date_to or None,
            )
            chart, legend = _chart(counts)
            cells = len(counts.periods) * len(counts.series)
            context.update(counts=counts, chart=chart, legend=legend, table=cells <= MAX_TABLE_CELLS)
        except ArshifError as exc:
            context["error"], status = exc.message_ar, 400
    return templates.TemplateResponse(request, "timeline.html", context, status_code=status)


__all__ = ["router"]
