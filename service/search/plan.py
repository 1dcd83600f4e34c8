"""Query planning: from a search request to the one tantivy query that answers it.

Search, export, the article page's highlighting and the CLI all need the same decisions about a
query — is there anything to search for, which dates apply when the query says ``from:`` and the
request says ``from=``, which outlets, authors and sections the filters stand for, and whether "all
words" found nothing so "any word" is used instead. They used to make them in three copies that
drifted (export answered ``q=-`` with the whole archive while search refused it). ``plan_query``
makes them once and returns a frozen ``QueryPlan``; the caller only pages, hydrates or streams it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import tantivy

from service.errors import QuerySyntaxError
from service.index.searching import count_matches
from service.search import spelling
from service.search.compile import Expansion, Highlights, QueryCompiler
from service.search.query import FacetFilter, Node, Not, ParsedQuery, Phrase, Term, parse, positive_terms
from service.search.request import Match, SearchRequest, Sort

Ranked = tuple[tuple[Any, tantivy.DocAddress], ...]  # (score or date, address): tantivy's hits, best first


@dataclass(frozen=True)
class QueryPlan:
    """Everything decided about one request's query, frozen: safe to hand around and to reuse."""

    query: tantivy.Query
    highlights: Highlights
    expansions: tuple[Expansion, ...]
    warnings: tuple[str, ...]
    match: Match  # what was searched: the request's, or "any" after a fallback
    fallback: bool  # every word found nothing, so any word was used
    total: int  # matching articles, unfolded
    root: Node | None  # the parsed text clause (None: browsing with filters and dates only)
    # The query searched when the typed one was corrected (``service/search/spelling.py``), else None;
    # ``suggestion``: a correction offered but not applied (it finds more, but not clearly more).
    corrected_query: str | None = None
    suggestion: str | None = None
    # The first ``ranked_limit`` hits in the request's order, found by the search that counted them
    # (``plan_query(rank=...)``); empty if none were asked for.
    ranked: Ranked = ()
    ranked_limit: int = 0
    # Outlets asked for (the request's filter or ``source:`` in the query) that no stored name or
    # alias stands for: they match nothing, and the answer says so (``service/search/notices.py``).
    unknown_sources: tuple[str, ...] = ()

    def top(self, limit: int, offset: int = 0) -> Ranked | None:
        """Hits ``offset`` to ``offset + limit`` from the ranked prefix, or None if it does not hold them."""
        if offset + limit <= self.ranked_limit or len(self.ranked) >= self.total:
            return self.ranked[offset : offset + limit]
        return None


class EmptyQuery(QuerySyntaxError):
    """Text with nothing to search for (``-``, ``NOT``, ``""``): refused rather than read as "everything"."""

    type = "empty-query"

    def __init__(self) -> None:
        super().__init__("الاستعلام لا يحوي كلمات للبحث عنها", "the query has no words to search for")


def plan_query(request: SearchRequest, compiler: QueryCompiler, *, rank: int = 0) -> QueryPlan:
    """Parse → refuse text with no words → the query's dates within the request's → the request's
    outlet/author/section filters → compile → if a rare word of "all words" looks like a typo and the
    corrected query finds clearly more, the corrected query (``service/search/spelling.py``) → if "all
    words" still found nothing among several, "any word".

    A blank query is browsing (every article, within the filters and dates); a query with text but
    no word to search for is an ``empty-query`` error, whoever asks. ``compiler`` carries the searcher
    the plan is counted on; the caller pages with that same searcher. ``rank`` > 0 asks the counting
    search for the first ``rank`` hits in the request's order too (``QueryPlan.top``): one pass over
    the matches instead of two."""
    parsed = _parsed(request, request.q)
    filters = facet_filters(request, compiler)
    compiled = compiler.compile(parsed, match=request.match, filters=filters)
    total, ranked = count_and_rank(compiler.searcher, compiled.query, request.sort, rank)
    corrected, suggestion = None, None
    unknown = unknown_sources(request, parsed.root, compiler)
    # an unknown outlet, not the words, is why nothing was found: no spelling correction then
    if request.correct and request.match == "all" and parsed.root is not None and not unknown:
        fixed = spelling.suggest(
            request.q, parsed.root, compiler.facts, rare_only=True, together=compiler.phrase_count
        )
        if fixed is not None:
            fixed_parsed = _parsed(request, fixed)
            fixed_compiled = compiler.compile(fixed_parsed, match="all", filters=filters)
            fixed_total, fixed_ranked = count_and_rank(
                compiler.searcher, fixed_compiled.query, request.sort, rank
            )
            if spelling.clearly_better(total, fixed_total):
                parsed, compiled, total, ranked, corrected = (
                    fixed_parsed,
                    fixed_compiled,
                    fixed_total,
                    fixed_ranked,
                    fixed,
                )
            elif fixed_total > total:
                suggestion = fixed
    match, fallback = request.match, False
    if total == 0 and request.match == "all" and len(positive_terms(parsed.root)) > 1:
        compiled = compiler.compile(parsed, match="any", filters=filters)
        total, ranked = count_and_rank(compiler.searcher, compiled.query, request.sort, rank)
        match, fallback = "any", True
    return QueryPlan(
        query=compiled.query,
        highlights=compiled.highlights,
        expansions=compiled.expansions,
        warnings=tuple(parsed.warnings),
        match=match,
        fallback=fallback,
        total=total,
        root=parsed.root,
        corrected_query=corrected,
        suggestion=suggestion,
        ranked=ranked,
        ranked_limit=rank,
        unknown_sources=unknown,
    )


def _parsed(request: SearchRequest, text: str) -> ParsedQuery:
    """``text`` parsed, refused if it has no word to search for, its dates within the request's."""
    parsed = parse(text)
    if text.strip() and parsed.root is None and not (parsed.date_from or parsed.date_to):
        raise EmptyQuery()
    return replace(
        parsed,
        date_from=_later(parsed.date_from, request.date_from),
        date_to=_earlier(parsed.date_to, request.date_to),
    )


def rank(
    searcher: tantivy.Searcher, query: tantivy.Query, sort: Sort, limit: int, offset: int = 0
) -> tantivy.SearchResult:
    """One search for hits ``offset`` to ``offset + limit`` in ``sort`` order, counting all matches."""
    if sort == "relevance":
        return searcher.search(query, limit=limit, offset=offset, count=True)
    order = tantivy.Order.Desc if sort == "newest" else tantivy.Order.Asc
    return searcher.search(
        query, limit=limit, offset=offset, count=True, order_by_field="published", order=order
    )


def count_and_rank(
    searcher: tantivy.Searcher, query: tantivy.Query, sort: Sort, limit: int
) -> tuple[int, Ranked]:
    """How many articles match, and the first ``limit`` of them in ``sort`` order (none if 0)."""
    if limit <= 0:
        return count_matches(searcher, query), ()
    result = rank(searcher, query, sort, limit)
    return result.count, tuple(result.hits)  # type: ignore[attr-defined]  # stubs lack SearchResult.count


def facet_filters(request: SearchRequest, compiler: QueryCompiler) -> list[tantivy.Query]:
    """The request's outlets, authors and sections as filters: each list matches any of its values
    as stored (exact, else normalized); a list nothing matches matches nothing."""
    out = []
    for name, wanted in (
        ("source", request.sources),
        ("author", request.authors),
        ("section", request.sections),
    ):
        if wanted:
            values = [v for w in wanted for v in compiler.facet_values(name, w)]
            out.append(
                tantivy.Query.term_set_query(compiler.schema, name, values)
                if values
                else tantivy.Query.empty_query()
            )
    return out


def unknown_sources(request: SearchRequest, root: Node | None, compiler: QueryCompiler) -> tuple[str, ...]:
    """The outlets asked for — in the request's filter or as ``source:`` anywhere in the query — that
    stand for no outlet the archive knows, each once."""
    typed = [*request.sources, *(n.value for n in _facet_nodes(root) if n.field == "source")]
    return tuple(dict.fromkeys(w for w in typed if not compiler.facet_values("source", w)))


def _facet_nodes(node: Node | None) -> list[FacetFilter]:
    if node is None or isinstance(node, (Term, Phrase)):
        return []
    if isinstance(node, FacetFilter):
        return [node]
    if isinstance(node, Not):
        return _facet_nodes(node.child)
    return [f for child in node.children for f in _facet_nodes(child)]


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    return max((d for d in (a, b) if d), default=None)


def _earlier(a: datetime | None, b: datetime | None) -> datetime | None:
    return min((d for d in (a, b) if d), default=None)


__all__ = [
    "EmptyQuery",
    "QueryPlan",
    "count_and_rank",
    "facet_filters",
    "plan_query",
    "rank",
    "unknown_sources",
]
