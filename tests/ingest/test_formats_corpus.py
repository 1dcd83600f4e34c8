"""The real corpus (../shared/data/news/arabic_news.jsonl.xz) streams through parse_file."""

from __future__ import annotations

import itertools

from service.ingest.formats import ParsedArticle, parse_file

LINES = 2000


def test_first_lines_of_the_news_corpus(shared_dir):
    path = shared_dir / "data" / "news" / "arabic_news.jsonl.xz"
    items = list(itertools.islice(parse_file(path), LINES))  # stops early: the rest is never decompressed
    assert len(items) == LINES
    failures = [i for i in items if not isinstance(i, ParsedArticle)]
    assert failures == []
    for number, article in enumerate(items, 1):
        assert article.origin.endswith(f"arabic_news.jsonl.xz:{number}")
        assert article.title and article.body and article.source
        assert article.published_at is not None and article.published_at.utcoffset().total_seconds() == 0
        assert article.external_id and article.url
        assert article.body == article.body.strip() and "\n\n" not in article.body
        assert article.language == "ar"
        assert article.metadata["ingest"]["format"] == "jsonl"
    assert len({a.external_id for a in items}) == LINES
