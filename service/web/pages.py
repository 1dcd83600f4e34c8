"""The search page and the article page."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from service.db import Article
from service.db.models import MAX_ID
from service.errors import ArshifError, NotFound
from service.feeds import store as feeds_store
from service.search import highlight
from service.search.compile import Highlights
from service.search.engine import SearchService, same_matches
from service.search.marked import Marked
from service.search.overview import archive_overview, latest_additions
from service.search.request import Interval, SearchRequest, make_request
from service.sections import section_label
from service.server.deps import ArchiveDep, SearchDep, require_read
from service.web import atom
from service.web.charts import bar_chart, period_label
from service.web.dates import arabic_date, arabic_month, count_noun, month_name
from service.web.facets import disjunctive_facets

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_read)])
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.filters["arabic_date"] = arabic_date
templates.env.filters["arabic_month"] = arabic_month
templates.env.filters["month_name"] = month_name
templates.env.globals["count_noun"] = count_noun
templates.env.filters["section_label"] = section_label
_WEB_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f]+", re.IGNORECASE)


def web_link(url: str | None) -> str | None:
    """The URL if a page may link to it: http(s) only. A ``javascript:`` or ``data:`` URL (or anything
    else) would run or render in the reader's browser, so it is shown as plain text instead."""
    if not url:
        return None
    candidate = url.strip()
    return candidate if _WEB_URL.fullmatch(candidate) else None


templates.env.filters["web_link"] = web_link


def marked_markup(marked: Marked) -> Markup:
    """Highlighted text for a page (the ``marked`` filter): each piece escaped by markupsafe, as Jinja
    escapes everything else, and each marked word in ``<mark>``. No template needs ``| safe`` for it."""
    return Markup(
        "".join(f"<mark>{escape(piece)}</mark>" if hit else escape(piece) for piece, hit in marked.parts())
    )


templates.env.filters["marked"] = marked_markup

PAGE_SIZE = 10
SORTS = {"relevance": "الأكثر صلة", "newest": "الأحدث أولًا", "oldest": "الأقدم أولًا"}
FACET_TITLES = {"source": "المصادر", "section": "الأقسام", "author": "الكتّاب", "year": "السنوات"}


class PageState:
    """The page's query string: what the user asked for, and links that change one thing of it."""

    KEYS = ("q", "source", "section", "author", "from", "to", "sort", "match", "page", "fold", "nocorrect")

    def __init__(self, params: dict[str, list[str]]) -> None:
        self.params = {k: [v for v in params.get(k, []) if v] for k in self.KEYS}

    def one(self, key: str, default: str = "") -> str:
        values = self.params.get(key) or []
        return values[0] if values else default

    def many(self, key: str) -> list[str]:
        return list(self.params.get(key) or [])

    def url(self, path: str = "/", /, **changes: Any) -> str:
        params = {k: list(v) for k, v in self.params.items()}
        params["page"] = []  # any change goes back to the first page unless a page is given
        for key, value in changes.items():
            key = key.rstrip("_")
            if value is None:
                params[key] = []
            elif isinstance(value, list):
                params[key] = value
            else:
                params[key] = [str(value)]
        pairs = [(k, v) for k in self.KEYS for v in params.get(k, [])]
        return path + ("?" + urlencode(pairs) if pairs else "")

    def toggle(self, key: str, value: str) -> str:
        current = self.many(key)
        updated = [v for v in current if v != value] if value in current else current + [value]
        return self.url(**{key: updated})


def timeline_url(state: PageState) -> str:
    """The timeline page for this search: its query, outlets and dates."""
    pairs = [("q", state.one("q"))] if state.one("q") else []
    pairs += [("source", s) for s in state.many("source")]
    pairs += [(k, state.one(k)) for k in ("from", "to") if state.one(k)]
    return "/timeline" + ("?" + urlencode(pairs) if pairs else "")


def _svg_timeline(histogram: dict[str, Any] | None, state: PageState) -> Markup:
    """Bars of matches per period, drawn on the server: no script, no CDN, every bar a link."""
    if not histogram or not histogram["buckets"]:
        return Markup("")
    buckets = histogram["buckets"]
    peak = max(b["count"] for b in buckets) or 1
    width, height, gap = 720, 90, 1
    bar = min(48.0, max(1.0, width / len(buckets) - gap))
    parts = [
        f'<svg class="timeline" viewBox="0 0 {width} {height + 4}" role="img" aria-label="توزّع النتائج عبر الزمن" preserveAspectRatio="none">'
    ]
    for i, b in enumerate(buckets):
        h = 0 if b["count"] == 0 else max(2.0, height * b["count"] / peak)
        # timelines read right to left on an Arabic page: the oldest bucket on the right
        x = width - (i + 1) * (bar + gap)
        start = b["start"]
        label = period_label(start, histogram["interval"])
        link = state.url(**{"from": start, "to": _period_end(start, histogram["interval"])})
        parts.append(
            f'<a href="{escape(link)}"><rect x="{x:.1f}" y="{height - h + 2:.1f}" width="{bar:.1f}" height="{h:.1f}">'
            f"<title>{escape(label)}: {b['count']}</title></rect></a>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _period_end(start: str, interval: str) -> str:
    from datetime import timedelta

    first = date.fromisoformat(start)
    if interval == "day":
        return start
    if interval == "week":
        return (first + timedelta(days=6)).isoformat()
    return start[:7]


def page_request(
    state: PageState,
    *,
    sort: str,
    page: int = 1,
    limit: int = PAGE_SIZE,
    facets: bool = False,
    histogram: Interval | None = None,
) -> SearchRequest:
    """The search the page's query string asks for: the page itself and its Atom feed build it here."""
    return make_request(
        state.one("q"),
        limit=limit,
        offset=(page - 1) * limit,
        sort=sort if sort in SORTS else "relevance",
        match="any" if state.one("match") == "any" else "all",
        sources=state.many("source"),
        sections=state.many("section"),
        authors=state.many("author"),
        date_from=state.one("from"),
        date_to=state.one("to"),
        fold=state.one("fold") != "0",
        correct=state.one("nocorrect") != "1",
        facets=facets,
        histogram=histogram,
    )


@router.get("/", response_class=HTMLResponse)
def search_page(request: Request, search: SearchDep) -> HTMLResponse:
    state = PageState({k: request.query_params.getlist(k) for k in PageState.KEYS})
    q = state.one("q")
    context: dict[str, Any] = {
        "state": state,
        "q": q,
        "sorts": SORTS,
        "facet_titles": FACET_TITLES,
        "response": None,
        "error": None,
    }
    browsing = bool(
        q or state.many("source") or state.many("section") or state.one("from") or state.one("to")
    )
    if browsing:
        try:
            page = max(1, min(1000, int(state.one("page", "1") or 1)))
        except ValueError:
            page = 1
        sort = state.one("sort", "relevance" if q else "newest")
        try:
            req = page_request(state, sort=sort, page=page, facets=True, histogram="month")
            response = search.search(req)
            if response.histogram and len(response.histogram["buckets"]) <= 3:
                response.histogram = search.search(
                    same_matches(req, response, histogram="day", facets=False, limit=0, offset=0)
                ).histogram
            response.facets = disjunctive_facets(search, req, response)
            context.update(
                response=response,
                page=page,
                pages=max(1, -(-response.total // PAGE_SIZE)),
                sort=sort,
                timeline=_svg_timeline(response.histogram, state),
                timeline_url=timeline_url(state),
            )
        except ArshifError as exc:
            context["error"] = exc.message_ar
    else:
        context.update(home_context(search))
    status = 400 if context["error"] else 200
    return templates.TemplateResponse(request, "search.html", context, status_code=status)


def months_chart(months: tuple[tuple[str, int], ...]) -> Markup:
    """The archive's articles per month, each bar a link to that month's articles."""
    return bar_chart(
        [m for m, _ in months],
        [n for _, n in months],
        label="عدد مقالات الأرشيف في كل شهر",
        href=lambda start: PageState({}).url(**{"from": start[:7], "to": start[:7], "sort": "newest"}),
    )


def home_context(search: SearchService) -> dict[str, Any]:
    """What the home page shows of the archive: its size, outlets, months and latest additions."""
    overview = archive_overview(search)
    return {
        "overview": overview,
        "latest": latest_additions(search),
        "months_chart": months_chart(overview.months),
    }


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(
    article_id: int,
    request: Request,
    archive: ArchiveDep,
    search: SearchDep,
    q: Annotated[str, Query(max_length=2000)] = "",
) -> HTMLResponse:
    with archive.db.reading() as session:
        # an id no store can hold (past 2**31-1) is simply not there; the store is not asked
        article = session.get(Article, article_id) if 1 <= article_id <= MAX_ID else None
        if article is None:
            return templates.TemplateResponse(
                request, "missing.html", {"article_id": article_id}, status_code=404
            )
        marks = _highlights(search, q)
        context = {
            "article": article,
            "q": q,
            "marked_title": highlight.highlight_all(article.title, marks),
            "paragraphs": highlight.paragraphs(article.body, marks),
            "members": search.same_story(article).elsewhere,
            "state": PageState({"q": [q]} if q else {}),
        }
        try:
            context["similar"] = search.similar(article_id, limit=6)
        except NotFound:
            context["similar"] = []
        return templates.TemplateResponse(request, "article.html", context)


def _highlights(search: SearchService, q: str) -> Highlights:
    """The words the search for ``q`` marked, marked again in the full article; a query the search
    would refuse marks nothing (the article is shown all the same)."""
    if not q.strip():
        return Highlights()
    try:
        return search.plan(make_request(q)).highlights
    except ArshifError:
        return Highlights()


@router.get("/search.atom")
def search_feed(request: Request, search: SearchDep, archive: ArchiveDep) -> Response:
    """The search page's query as an Atom feed, newest matching articles first: a feed reader can
    follow a search. Same parameters as the page (q, source, section, author, from, to, match, fold)."""
    state = PageState({k: request.query_params.getlist(k) for k in PageState.KEYS})
    response = search.search(page_request(state, sort="newest", limit=atom.FEED_SIZE))
    base = str(request.base_url).rstrip("/")
    document = atom.search_feed(
        response.hits,
        atom.changed_at(archive.db, [h.id for h in response.hits if h.published_at is None]),
        query=state.one("q"),
        self_url=base + state.url("/search.atom", sort=None),  # always newest first
        page_url=base + state.url("/"),
        base=base,
    )
    return Response(document, media_type=atom.MEDIA_TYPE)


FEED_KINDS = {"rss": "RSS", "atom": "Atom", "sitemap": "خريطة موقع", "sitemap-index": "فهرس خرائط"}


@router.get("/feeds", response_class=HTMLResponse)
def feeds_page(request: Request, archive: ArchiveDep) -> HTMLResponse:
    """The subscriptions and their health, read-only (they are managed with a key, by API or CLI)."""
    context = {
        "feeds": feeds_store.list_feeds(archive.db),
        "kinds": FEED_KINDS,
        "interval": archive.settings.feed_interval,
    }
    return templates.TemplateResponse(request, "feeds.html", context)
