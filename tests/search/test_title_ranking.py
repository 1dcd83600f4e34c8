"""A title hit still counts: on real news, an article whose title holds the searched word ranks above
one that mentions it once in passing.

The whole article is one BM25 field (title, then body) with the title scored once more at a small
weight (``TITLE_BOOST``); this keeps the news reader's expectation while the retrieval collections
rank as measured in docs/search.md.
"""

from __future__ import annotations

from pathlib import Path

from service.analysis import analyze
from service.ingest.formats import parse_file
from service.ingest.pipeline import ingest
from service.search.engine import SearchRequest, SearchService
from tests.conftest import NEWS, needs_shared, write_news

WORDS = ("بوتين", "ترامب", "الحوثيين", "النفط", "اردوغان", "الانتخابات")
ARTICLES = 3000


@needs_shared(NEWS)
def test_an_article_titled_with_the_word_ranks_above_one_that_mentions_it_once(
    archive, tmp_path: Path
) -> None:
    source = write_news(tmp_path / "news.jsonl", ARTICLES)
    ingest(archive, parse_file(source))
    search = SearchService(archive)
    compared = 0
    for word in WORDS:
        stem = analyze(word)[0].stem
        response = search.search(SearchRequest(q=word, limit=1000, fold=False, snippets=False))
        ranks = {hit.id: rank for rank, hit in enumerate(response.hits)}
        titled, once = [], []
        for hit in response.hits:
            in_title = sum(t.stem == stem for t in analyze(hit.title or ""))
            in_body = sum(t.stem == stem for t in analyze(archive_body(archive, hit.id)))
            if in_title:
                titled.append(hit.id)
            elif in_body == 1:
                once.append(hit.id)
        if not titled or not once:
            continue
        pairs = [(a, b) for a in titled for b in once]
        compared += len(pairs)
        ordered = sum(ranks[a] < ranks[b] for a, b in pairs)
        assert ordered / len(pairs) >= 0.95, (word, ordered, len(pairs))
    assert compared >= 100  # the slice really tested something


def archive_body(archive, article_id: int) -> str:
    from service.db import Article

    with archive.db.reading() as session:
        return session.get(Article, article_id).body
