"""Multi-select facets ("disjunctive faceting"): the outlets (or sections) a reader may add to those
already chosen are counted as if none of them were chosen, every other filter kept — so picking one
outlet leaves the others in the list with the counts they would add. The chosen values keep the counts
the search itself gave them, should they fall outside the top of the list."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from service.search.engine import SearchResponse, SearchService, same_matches
from service.search.request import SearchRequest

# facet name → the request's list of values for it
MULTI_SELECT = {"source": "sources", "section": "sections"}


def disjunctive_facets(
    search: SearchService, request: SearchRequest, response: SearchResponse
) -> dict[str, list[dict[str, Any]]]:
    """The facets of ``response`` (which answered ``request``), the multi-select ones counted without
    their own filter. One more search (no hits, no histogram) per facet that has values chosen."""
    facets = dict(response.facets)
    for name, attr in MULTI_SELECT.items():
        chosen: list[str] = getattr(request, attr)
        if not chosen:
            continue
        unfiltered = replace(request, sources=[]) if name == "source" else replace(request, sections=[])
        others = search.search(
            same_matches(unfiltered, response, limit=0, offset=0, histogram=None, facets=True)
        )
        buckets = list(others.facets.get(name, []))
        listed = {b["value"] for b in buckets}
        buckets += [b for b in response.facets.get(name, []) if b["value"] not in listed]
        facets[name] = buckets
    return facets


__all__ = ["MULTI_SELECT", "disjunctive_facets"]
