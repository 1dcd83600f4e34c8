"""Small builders for tests: made-up Arabic articles written through the real writer."""

from __future__ import annotations

from datetime import datetime, timezone

from service.ingest.store import ArticleInput, ArticleWriter


def when(day: int, month: int = 2, year: int = 2018) -> datetime:
    return datetime(year, month, day, 12, tzinfo=timezone.utc)


def add_articles(archive, *items: dict) -> list[int]:  # type: ignore[no-untyped-def, type-arg]
    """Store articles (dicts of ArticleInput fields) and bring the index up to date."""
    with archive.db.writing() as session:
        results = ArticleWriter(session).upsert_many([ArticleInput(**item) for item in items])
    archive.index.sync(archive.db)
    return [r.article_id for r in results]  # type: ignore[union-attr]
