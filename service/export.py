"""Exports: every field of every matching article, as JSON Lines or CSV (UTF-8 with BOM, for Excel)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from service.db import Article

# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_FIELDS = (
    "id",
    "external_id",
    "source",
    "url",
    "title",
    "author",
    "section",
    "published_at",
    "language",
    "cluster_id",
    "ingested_at",
    "updated_at",
    "body",
    "metadata",
)


def article_record(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "external_id": article.external_id,
        "source": article.source.name if article.source else None,
        "url": article.url,
        "title": article.title,
        "author": article.author,
        "section": article.section,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "language": article.language,
        "content_hash": article.content_hash,
        "cluster_id": article.cluster_id,
        "ingested_at": article.ingested_at.isoformat() if article.ingested_at else None,
        "updated_at": article.updated_at.isoformat() if article.updated_at else None,
        "body": article.body,
        "metadata": article.extra,
    }


def csv_cell(value: Any) -> Any:
    """A value as it goes into a CSV cell: text a spreadsheet would run as a formula gets a leading
    single quote (OWASP's advice); everything else is written as it is. JSON exports keep raw values."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def write_export(articles: Iterable[Article], fmt: str) -> Iterator[str]:
    if fmt == "jsonl":
        for article in articles:
            yield json.dumps(article_record(article), ensure_ascii=False) + "\n"
        return
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, extrasaction="ignore")
    yield "\ufeff"
    writer.writeheader()
    for i, article in enumerate(articles, 1):
        record = article_record(article)
        record["metadata"] = json.dumps(record["metadata"], ensure_ascii=False)
        writer.writerow({key: csv_cell(value) for key, value in record.items()})
        if i % 100 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
