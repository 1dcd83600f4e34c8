"""Small builders for tests: made-up Arabic articles written through the real writer."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from service.ingest.store import ArticleInput, ArticleWriter


def when(day: int, month: int = 2, year: int = 2018) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


def add_articles(archive, *items: dict) -> list[int]:
    """Store articles (dicts of ArticleInput fields) and bring the index up to date."""
    with archive.db.writing() as session:
        results = ArticleWriter(session).upsert_many([ArticleInput(**item) for item in items])
    archive.index.sync(archive.db)
    return [r.article_id for r in results]


def follow_changes(db, done: threading.Event, seen: list[int]) -> None:
    """Read the change log as the index follower does ("seq > watermark"), about a thousand times a
    second, until ``done`` is set and nothing is left; every sequence number read lands in ``seen``, in
    order. (A loop that never slept held the GIL against the writer threads: 2 s tests took 100 s.)"""
    from service.index.manager import _changes_after

    watermark = 0
    while True:
        finished = done.is_set()
        changes = _changes_after(db, watermark, 1000)
        if changes:
            seen.extend(seq for seq, _ in changes)
            watermark = changes[-1][0]
        elif finished:
            return
        else:
            time.sleep(0.001)


def month_of(record: dict) -> str | None:
    """The UTC month of a record's date, as the archive files it (the corpus gives local offsets)."""
    when = record.get("published_at")
    if not when:
        return None
    parsed = datetime.fromisoformat(when)
    return (parsed.astimezone(UTC) if parsed.tzinfo else parsed).strftime("%Y-%m")
