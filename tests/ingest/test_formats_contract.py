"""What the storage pipeline relies on, for every format: names, types, JSON-able metadata, UTC dates."""

from __future__ import annotations

import dataclasses
import gzip
import json
from datetime import timedelta

import pytest

from service.ingest.formats import ParsedArticle, RecordFailure

FIELDS = [
    "title",
    "body",
    "url",
    "external_id",
    "source",
    "author",
    "section",
    "published_at",
    "language",
    "metadata",
    "origin",
]


def test_public_dataclasses_have_the_agreed_fields():
    assert [f.name for f in dataclasses.fields(ParsedArticle)] == FIELDS
    assert [f.name for f in dataclasses.fields(RecordFailure)] == ["origin", "reason"]
    assert ParsedArticle(title=None, body="x").metadata == {}
    assert RecordFailure("f:1", "two\nlines   here").reason == "two lines here"


@pytest.fixture
def one_of_each(arabic_text, make_html, make_warc):
    title, paragraphs = arabic_text
    page = make_html(
        title,
        paragraphs,
        extra_head='<meta property="article:published_time" content="2019-03-04T10:20:00+03:00">',
    )
    record = {
        "id": 1,
        "title": title,
        "body": "\n".join(paragraphs),
        "published_at": "2018-02-08T10:00:00-05:00",
        "nested": {"a": [1, 2, {"b": None}]},
    }
    return {
        "seed-like.txt": f"{title} - موقع المدينة\n\nالمصدر – (سعاد)\n" + "\n\n".join(paragraphs),
        "page.html": page,
        "records.jsonl.gz": gzip.compress(json.dumps(record, ensure_ascii=False).encode()),
        "records.json": json.dumps([record], ensure_ascii=False),
        "crawl.warc.gz": make_warc([("https://c.example/1", "200 OK", "text/html", page.encode())]),
    }


def test_every_format_fulfils_the_contract(parse_bytes, one_of_each):
    for name, data in one_of_each.items():
        items = parse_bytes(name, data if isinstance(data, bytes) else data.encode())
        assert len(items) == 1, (name, items)
        [article] = items
        assert isinstance(article, ParsedArticle), (name, article)
        assert article.origin and name in article.origin
        assert isinstance(article.body, str) and article.body and article.body == article.body.strip()
        for field in ("title", "url", "external_id", "source", "author", "section", "language"):
            value = getattr(article, field)
            assert value is None or (isinstance(value, str) and value == value.strip() and value), (
                name,
                field,
            )
        if article.published_at is not None:
            assert article.published_at.utcoffset() == timedelta(0), name
        json.dumps(article.metadata)  # storable in a JSON column as is
        assert article.metadata["ingest"]["format"] in {"text", "html", "json", "jsonl", "warc"}
        assert article.metadata["ingest"]["encoding"]


def test_parsing_is_deterministic(parse_bytes, one_of_each):
    """Re-ingesting the same file must change nothing, so the same bytes give equal records."""
    for name, data in one_of_each.items():
        raw = data if isinstance(data, bytes) else data.encode()
        assert parse_bytes(name, raw) == parse_bytes(name, raw), name
