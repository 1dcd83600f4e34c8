"""Search: one request in, one response out — for the API, the CLI and the page alike."""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from typing import Any

import tantivy
from sqlalchemy import select

from service.analysis import STOPWORDS, analyze
from service.archive import Archive
from service.db import Article
from service.errors import ArshifError, NotFound
from service.index.searching import count_matches, fast_ints
from service.search import highlight, periods, spelling
from service.search.compile import Highlights, QueryCompiler
from service.search.copies import SameStory, same_story
from service.search.cursor import CursorCodec, cursor_key
from service.search.facts import IndexFacts
from service.search.hits import hit_rows
from service.search.marked import Marked
from service.search.notices import SearchWarning, query_repaired, unknown_source
from service.search.plan import QueryPlan, plan_query
from service.search.request import Interval, Match, SearchRequest, Sort, make_request
from service.search.synonyms import SynonymTable
from service.sections import section_label
from service.sources import SourceDirectory, matching, name_key

FACET_SIZE = 20
# The deepest page anyone may ask for: tantivy allocates offset + limit hits, so neither is unbounded
# (a forged offset of 10**12 used to take the whole process down). The API's pages are at most 100.
MAX_OFFSET = 100_000
EXACT_FOLDED_TOTAL = 10_000  # matches up to which the total folds near-duplicates exactly
MAX_LIMIT = 10_000
SIMILAR_TEXT = 100_000  # characters of a body that "more like this" weighs
MAX_HISTOGRAM_BUCKETS = 400

Ranked = list[tuple[Any, tantivy.DocAddress]]  # (score, address): tantivy's hits
PageHit = tuple[Any, tantivy.DocAddress, int]  # (score, address, members folded into it)


@dataclass
class Hit:
    id: int
    external_id: str | None
    title: str | None
    marked_title: Marked  # the title ("" if none) with the query's words marked
    source: str | None
    author: str | None
    section: str | None
    published_at: datetime | None
    url: str | None
    score: float
    snippet: Marked  # the best fragment of the body, query words marked; empty if snippets were not asked for
    cluster_id: int
    cluster_size: int
    folded: int = 0  # other members of the same cluster that matched and were folded into this hit


@dataclass
class SearchResponse:
    total: int  # the hits a reader can page through: near-duplicates folded, if asked, into one hit
    hits: list[Hit]
    offset: int
    limit: int
    match: Match
    total_unfolded: int = 0  # matching articles, every near-duplicate counted
    duplicates_folded: int = 0  # total_unfolded - total
    total_exact: bool = True  # False: over EXACT_FOLDED_TOTAL matches, total is total_unfolded (at most)
    fallback: bool = False  # True: all words found nothing, so any word was used
    # A typo corrected (service/search/spelling.py): the hits are the corrected query's
    corrected: bool = False
    original_query: str | None = None  # the query as typed, when it was corrected
    corrected_query: str | None = None  # the query searched instead
    facets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    histogram: dict[str, Any] | None = None
    suggestions: list[str] = field(default_factory=list)
    expansions: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[SearchWarning] = field(default_factory=list)
    next_cursor: str | None = None
    took_ms: float = 0.0


def check_page(request: SearchRequest) -> None:
    """Refuse an offset or limit beyond the bounds, whoever built the request (API, page, CLI, cursor)."""
    for name, value, high in (("offset", request.offset, MAX_OFFSET), ("limit", request.limit, MAX_LIMIT)):
        if type(value) is not int or not 0 <= value <= high:
            raise ArshifError(
                f"المعامل {name} يجب أن يكون عددًا صحيحًا من 0 إلى {high}",
                f"{name} must be a whole number from 0 to {high}",
                type="invalid-page",
            )


def same_matches(request: SearchRequest, response: SearchResponse, **changes: Any) -> SearchRequest:
    """A request for the matches ``response`` gave ``request``, its correction and any-word fallback
    already settled, for one more look at them (facets counted otherwise, a finer histogram): no
    folding, snippets or second correction, only what ``changes`` asks."""
    return replace(
        request,
        q=response.corrected_query or request.q,
        match=response.match,
        correct=False,
        fold=False,
        snippets=False,
        **changes,
    )


class SearchService:
    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.synonyms = SynonymTable(archive.db)
        self.sources = SourceDirectory(archive.db)
        self._facts: IndexFacts | None = None  # of the last index state searched

    # -- cursors -------------------------------------------------------------------------------

    @cached_property
    def cursors(self) -> CursorCodec:
        settings = self.archive.settings
        secret = settings.cursor_key.get_secret_value() if settings.cursor_key else None
        return CursorCodec(cursor_key(settings.data_dir, secret), MAX_OFFSET)

    def encode_cursor(self, request: SearchRequest, offset: int) -> str:
        return self.cursors.encode(request.fingerprint(), offset)

    def decode_cursor(self, request: SearchRequest, cursor: str) -> int:
        """The offset of a cursor this server signed for this same search; ``invalid-cursor`` otherwise."""
        return self.cursors.decode(request.fingerprint(), cursor)

    # -- search --------------------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResponse:
        started = time.perf_counter()
        check_page(request)
        searcher, facts = self.snapshot()
        want = request.offset + request.limit
        # the hits a page needs (folding weighs twice as many, see _page) come with the count
        planned = self.plan(request, searcher, facts, rank=want * 2 + 10 if request.fold else want)
        hits, more, pageable = self._page(searcher, planned.query, request, planned.total, planned)
        response = SearchResponse(
            total=planned.total,
            total_unfolded=planned.total,
            hits=[],
            offset=request.offset,
            limit=request.limit,
            match=planned.match,
            fallback=planned.fallback,
            corrected=planned.corrected_query is not None,
            original_query=request.q if planned.corrected_query is not None else None,
            corrected_query=planned.corrected_query,
            warnings=[
                *(query_repaired(w) for w in planned.warnings),
                *(self.unknown_source(w, facts) for w in planned.unknown_sources),
            ],
            expansions=[e.as_dict() for e in planned.expansions],
        )
        response.hits = self._hydrate(searcher, hits, planned.highlights, request.snippets)
        # the folded count of a search whose pages did not see every match: once per index state (the
        # next page, another order, the facets' second look ask the same), else from the aggregation
        matches_key = (
            "folded",
            request.q,
            request.match,
            request.correct,
            self.synonyms.version,
            *_filters_key(request),
        )
        if pageable is None:
            pageable = facts.known(matches_key)
        # counting the folded matches visits every match's cluster (at 1M articles, a common word's
        # 300k): paid only up to EXACT_FOLDED_TOTAL, where a reader can still page to the end
        count_folded = pageable is None and planned.total <= EXACT_FOLDED_TOTAL
        if request.facets or request.histogram or count_folded:
            response.facets, response.histogram, folded = self._aggregate(
                searcher, planned.query, request.facets, request.histogram, planned.total, count_folded
            )
            if count_folded:
                pageable = facts.derived(matches_key, lambda: planned.total - folded)
        if pageable is None:  # too many to count: every match, an upper bound, said to be one
            pageable, response.total_exact = planned.total, False
        response.total = pageable
        response.duplicates_folded = planned.total - pageable
        response.suggestions = self._suggestions(request, planned, self._compiler(searcher, facts))
        if more and request.offset + request.limit <= MAX_OFFSET:
            response.next_cursor = self.encode_cursor(request, request.offset + request.limit)
        response.took_ms = round((time.perf_counter() - started) * 1000, 2)
        return response

    def snapshot(self) -> tuple[tantivy.Searcher, IndexFacts]:
        """The current searcher and the facts of its index state (``service/search/facts.py``), shared
        by every query until the index changes."""
        searcher, state = self.archive.index.snapshot()
        facts = self._facts
        if facts is None or facts.state != state:
            facts = self._facts = IndexFacts(searcher, state)
        return searcher, facts

    def plan(
        self,
        request: SearchRequest,
        searcher: tantivy.Searcher | None = None,
        facts: IndexFacts | None = None,
        *,
        rank: int = 0,
    ) -> QueryPlan:
        """The request's query plan (``service/search/plan.py``), counted on ``searcher`` — the one the
        caller will page with, since doc addresses mean nothing to another — or on the current one.
        ``facts`` are those of the searcher's state (``snapshot``); without them, the plan asks anew.
        ``rank``: how many of the first hits the counting search also brings (``QueryPlan.top``)."""
        if searcher is None:
            searcher, facts = self.snapshot()
        return plan_query(request, self._compiler(searcher, facts), rank=rank)

    def _compiler(self, searcher: tantivy.Searcher, facts: IndexFacts | None = None) -> QueryCompiler:
        """The compiler plans use; a hook (bench/eval_shipped.py turns variants off through it)."""
        return QueryCompiler(
            self.archive.index.schema,
            searcher,
            synonyms=self.synonyms,
            facet_values=self.facet_values,
            facts=facts,
        )

    def _page(
        self,
        searcher: tantivy.Searcher,
        query: tantivy.Query,
        request: SearchRequest,
        total: int,
        planned: QueryPlan | None = None,
    ) -> tuple[list[PageHit], bool, int | None]:
        """The requested page of (score, address, folded) — clusters folded to their best member if asked
        —, whether more pages follow, and how many hits all the pages hold if that is known without
        another pass (unfolded; or folded, when every match was looked at), else None.
        Hits the plan's counting search already brought (``planned.top``) are not searched again."""

        def top(limit: int, offset: int) -> Ranked:
            known = planned.top(limit, offset) if planned is not None else None
            if known is not None:
                return list(known)
            return self._ranked(searcher, query, request.sort, limit, offset)

        want = request.offset + request.limit
        if not request.fold:
            hits = top(request.limit, request.offset)
            return [(s, a, 0) for s, a in hits], want < total, total
        window = min(total, want * 2 + 10)
        while True:
            ranked = top(window, 0)
            clusters = searcher.fast_field_values("cluster", [a for _, a in ranked]) if ranked else []
            order: dict[int, list[Any]] = {}  # cluster -> [score, address, folded]
            for (score, address), cluster in zip(ranked, clusters):
                key = int(cluster) if cluster is not None else -1
                if key in order:
                    order[key][2] += 1
                else:
                    order[key] = [score, address, 0]
            if len(order) > want or window >= total:
                break
            window = min(total, window * 4)
        folded = [(score, address, n) for score, address, n in order.values()]
        return folded[request.offset : want], len(folded) > want, len(folded) if window >= total else None

    @staticmethod
    def _ranked(
        searcher: tantivy.Searcher, query: tantivy.Query, sort: Sort, limit: int, offset: int
    ) -> Ranked:
        if limit <= 0:
            return []
        if sort == "relevance":
            return searcher.search(query, limit=limit, offset=offset, count=False).hits
        order = tantivy.Order.Desc if sort == "newest" else tantivy.Order.Asc
        return searcher.search(
            query, limit=limit, offset=offset, count=False, order_by_field="published", order=order
        ).hits

    def _hydrate(
        self, searcher: tantivy.Searcher, hits: list[PageHit], highlights: Highlights, snippets: bool
    ) -> list[Hit]:
        """Hits read back from the store. The searcher must be the one that found them: doc addresses
        mean nothing to a searcher reloaded after a commit."""
        if not hits:
            return []
        ids = fast_ints(searcher, "id", [address for _, address, _ in hits])
        rows = {row.id: row for row in hit_rows(self.archive.db, ids, body=snippets)}
        out = []
        for (score, _address, folded), article_id in zip(hits, ids):
            row = rows.get(article_id)
            if row is None:  # deleted since the index last synced
                continue
            out.append(
                Hit(
                    id=row.id,
                    external_id=row.external_id,
                    title=row.title,
                    marked_title=highlight.highlight_all(row.title, highlights),
                    source=row.source,
                    author=row.author,
                    section=row.section,
                    published_at=row.published_at,
                    url=row.url,
                    score=round(float(score), 4) if isinstance(score, float) else 0.0,
                    snippet=highlight.snippet(row.body, highlights) if snippets else Marked(),
                    cluster_id=row.cluster_id or row.id,
                    cluster_size=row.cluster_size or 1,
                    folded=folded,
                )
            )
        return out

    # -- facets and histogram ------------------------------------------------------------------
    #
    # One aggregation pass over the matches serves the facets and the histogram's date range (and its
    # months, the usual interval): tantivy computes every aggregation of one request in one pass, so
    # three requests cost three passes where one will do.

    def _aggregate(
        self,
        searcher: tantivy.Searcher,
        query: tantivy.Query,
        facets: bool,
        interval: Interval | None,
        total: int,
        duplicates: bool,
    ) -> tuple[dict[str, list[dict[str, Any]]], dict[str, Any] | None, int]:
        """Facets, histogram and — if ``duplicates`` — how many of the ``total`` matches folding puts
        under another hit: the matches of every cluster that matched more than once, less one each
        (the clusters of one match, nearly all, are not even sent back)."""
        aggs: dict[str, Any] = {}
        if duplicates:
            size = max(1, total)  # every cluster, in every segment: the count is exact
            aggs["clusters"] = {
                "terms": {"field": "cluster", "size": size, "segment_size": size, "min_doc_count": 2}
            }
        if facets:
            aggs |= {
                name: {"terms": {"field": name, "size": FACET_SIZE}}
                for name in ("source", "author", "section")
            }
            aggs["month"] = {"terms": {"field": "month", "size": 1000}}
        if interval:
            aggs |= {"day_min": {"min": {"field": "day"}}, "day_max": {"max": {"field": "day"}}}
            if interval == "month":
                aggs["months_all"] = periods.aggregation("month")
        result = searcher.aggregate(query, aggs) if aggs else {}
        return (
            self._facets(result) if facets else {},
            self._histogram(searcher, query, interval, result) if interval else None,
            sum(b["doc_count"] - 1 for b in result["clusters"]["buckets"]) if duplicates else 0,
        )

    @staticmethod
    def _facets(result: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
        facets = {
            name: [{"value": b["key"], "count": b["doc_count"]} for b in result[name]["buckets"]]
            for name in ("source", "author", "section")
        }
        years: Counter[int] = Counter()
        months = []
        for bucket in result["month"]["buckets"]:
            yyyymm = int(bucket["key"])
            years[yyyymm // 100] += bucket["doc_count"]
            months.append({"value": f"{yyyymm // 100:04d}-{yyyymm % 100:02d}", "count": bucket["doc_count"]})
        facets["year"] = [{"value": str(y), "count": c} for y, c in sorted(years.items(), reverse=True)]
        facets["month"] = sorted(months, key=lambda m: m["value"], reverse=True)
        return facets

    def _histogram(
        self, searcher: tantivy.Searcher, query: tantivy.Query, interval: Interval, found: dict[str, Any]
    ) -> dict[str, Any]:
        """``found``: the aggregation that gave the matches' first and last day (and, for a monthly
        histogram, their months)."""
        low, high = found["day_min"]["value"], found["day_max"]["value"]
        if low is None or high is None:
            return {"interval": interval, "buckets": []}
        span = high - low + 1
        if interval == "day" and span > MAX_HISTOGRAM_BUCKETS:
            interval = "week"
        if interval == "week" and span / 7 > MAX_HISTOGRAM_BUCKETS:
            interval = "month"
        if interval == "month" and "months_all" not in found:
            found = searcher.aggregate(query, {"months_all": periods.aggregation("month")})
        counted = found["months_all"] if interval == "month" else None
        if counted is None:
            counted = searcher.aggregate(query, {"h": periods.aggregation(interval)})["h"]
        # the periods from the first match's to the last's, empty ones included (service/search/periods.py)
        counts = {periods.start(interval, b["key"]): b["doc_count"] for b in counted["buckets"]}
        starts = periods.span(interval, min(counts), max(counts), 5 * MAX_HISTOGRAM_BUCKETS) if counts else []
        buckets = [{"start": p, "count": counts.get(p, 0)} for p in starts]
        return {"interval": interval, "buckets": buckets}

    # -- facet values --------------------------------------------------------------------------

    def facet_values(self, field_name: str, wanted: str) -> list[str]:
        """Stored facet values matching what a user typed: exact first, else normalized contains.
        Outlets also by any of their names and aliases (``service/sources.py``)."""
        known = self._facet_terms(field_name)
        if wanted in known:
            return [wanted]
        if field_name == "source":
            return self.sources.resolve(wanted, known)
        key = name_key(wanted)
        names = [(name_key(v), v) for v in known]
        if field_name == "section":  # سياسة stands for the codes shown under that name (politic, politics)
            labelled = matching(
                {key}, names + [(name_key(section_label(v)), v) for v in known], contained=False
            )
            if labelled:
                return labelled
        return matching({key}, names, contained=bool(key))

    def _facet_terms(self, field_name: str) -> list[str]:
        return self.snapshot()[1].facet_terms(field_name)

    def unknown_source(self, typed: str, facts: IndexFacts | None = None) -> SearchWarning:
        """The warning for an outlet nothing stands for, with the closest known ones."""
        facts = facts or self.snapshot()[1]
        return unknown_source(typed, self.sources.closest(typed, facts.facet_terms("source")))

    # -- suggestions ---------------------------------------------------------------------------

    @staticmethod
    def _suggestions(request: SearchRequest, planned: QueryPlan, compiler: QueryCompiler) -> list[str]:
        """ "Did you mean": the correction the plan offered without applying it, or, when the query
        found few articles (or fell back to any word), each word's best neighbour (``spelling.suggest``)."""
        # no "did you mean" for the words when an outlet is unknown: the outlet is why nothing was found
        if planned.corrected_query is not None or planned.root is None or planned.unknown_sources:
            return []
        if planned.suggestion is not None:
            return [planned.suggestion]
        if planned.total < 5 or planned.fallback:
            found = spelling.suggest(request.q, planned.root, compiler.facts, together=compiler.phrase_count)
            return [found] if found else []
        return []

    # -- similar and cluster -------------------------------------------------------------------

    def similar(self, article_id: int, limit: int = 10) -> list[Hit]:
        """More like this: the article's most telling stems (tf·idf), other stories only."""
        with self.archive.db.reading() as session:
            article = session.get(Article, article_id)
            if article is None:
                raise NotFound(f"لا يوجد مقال رقمه {article_id}", f"no article with id {article_id}")
            # a long article's telling stems are in its first pages: never analyse megabytes per page view
            text = f"{article.title or ''}\n{article.body[:SIMILAR_TEXT]}"
            cluster = article.cluster_id or article.id
        searcher = self.archive.index.searcher()
        n = max(1, searcher.num_docs)
        counts = Counter(t.stem for t in analyze(text) if len(t.stem) > 2 and t.exact not in STOPWORDS)
        scored = []
        for stem, tf in counts.items():
            df = searcher.doc_freq("text_stem", stem)
            if 2 <= df <= max(2, n * 0.2):  # shared with another article, and not everywhere
                scored.append((tf * math.log(n / df), stem))
        terms = [stem for _, stem in sorted(scored, reverse=True)[:25]]
        if not terms:
            return []
        schema = self.archive.index.schema
        should = [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "text_stem", t)) for t in terms]
        should += [
            (
                tantivy.Occur.Should,
                tantivy.Query.boost_query(tantivy.Query.term_query(schema, "title_stem", t), 2.0),
            )
            for t in terms
        ]
        query = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, tantivy.Query.boolean_query(should)),
                (tantivy.Occur.MustNot, tantivy.Query.term_query(schema, "cluster", cluster)),
            ]
        )
        request = SearchRequest(limit=limit, fold=True)
        hits, _, _ = self._page(searcher, query, request, count_matches(searcher, query))
        return self._hydrate(searcher, hits, Highlights(stems=frozenset(terms[:10])), snippets=True)

    def same_story(self, article: Article) -> SameStory:
        """Other outlets' copies of ``article`` and its own outlet's, with their similarity
        (``service/search/copies.py``)."""
        return same_story(self.archive.db, article)

    # -- export --------------------------------------------------------------------------------

    def iter_matches(self, request: SearchRequest, batch: int = 500) -> Iterator[Article]:
        """Every matching article (unfolded), in the requested order, read from the store in batches —
        the same articles a search with this request counts, correction and fallback included. The
        query is planned before this returns, so a bad one is refused before an export has sent anything."""
        return self.matches(request, batch)[1]

    def matches(self, request: SearchRequest, batch: int = 500) -> tuple[QueryPlan, Iterator[Article]]:
        """``iter_matches`` with the plan that found them (was the query corrected? did it fall back?)."""
        searcher, facts = self.snapshot()
        planned = self.plan(request, searcher, facts)
        ranked = self._ranked(searcher, planned.query, request.sort, planned.total, 0)
        ids = fast_ints(searcher, "id", [a for _, a in ranked]) if ranked else []
        return planned, self.articles(ids, batch)

    def articles(self, ids: list[int], batch: int = 500) -> Iterator[Article]:
        """The stored articles of ``ids``, in that order (one deleted since is left out), read in batches."""
        for start in range(0, len(ids), batch):
            chunk = ids[start : start + batch]
            with self.archive.db.reading() as session:
                rows = {a.id: a for a in session.scalars(select(Article).where(Article.id.in_(chunk)))}
                for article_id in chunk:
                    if article_id in rows:
                        yield rows[article_id]


def _filters_key(request: SearchRequest) -> tuple[Any, ...]:
    """What besides the query text decides which articles match (not their order or page)."""
    return (
        tuple(request.sources),
        tuple(request.authors),
        tuple(request.sections),
        request.date_from,
        request.date_to,
    )


__all__ = [
    "MAX_LIMIT",
    "MAX_OFFSET",
    "Hit",
    "Interval",
    "Match",
    "QueryPlan",
    "SearchRequest",
    "SearchResponse",
    "SearchService",
    "Sort",
    "check_page",
    "make_request",
    "same_matches",
]
