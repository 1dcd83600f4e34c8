"""The archive's figures as this node sees them: one function for ``/api/stats``, ``/metrics`` and the
stats page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from service.analysis import ANALYZER_VERSION
from service.archive import Archive
from service.db import IngestRun, Source
from service.index.manager import article_count
from service.server.indexer import IndexFollower


def archive_stats(archive: Archive, follower: IndexFollower) -> dict[str, Any]:
    """Stored and indexed articles, the index's lag and size, outlets, the last ingest, the analyzer,
    the store and how this node hears of changes."""
    with archive.db.reading() as session:
        source_count = session.scalar(select(func.count()).select_from(Source)) or 0
        last = session.scalar(select(func.max(IngestRun.finished_at)))
    index = archive.index
    return {
        "articles": article_count(archive.db),
        "indexed_documents": index.num_docs(),
        "index_lag": index.lag(archive.db),
        "sources": source_count,
        "index_size_bytes": index.size_bytes(),
        "last_ingest": last,
        "analyzer_version": ANALYZER_VERSION,
        "database": archive.db.engine.dialect.name,
        "change_feed": follower.change_feed,
    }


__all__ = ["archive_stats"]
