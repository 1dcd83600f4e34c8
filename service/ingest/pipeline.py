"""An ingest run: records from the parsers, in batches, into the store, then into the index.

Each batch is one write transaction (each record in its own savepoint); after it commits the index
syncs, so what a run has committed is searchable while the run goes on.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from service.analysis import set_cache_limit
from service.archive import Archive
from service.db import IngestRun
from service.db.models import utcnow
from service.ingest.budget import IngestStopped
from service.ingest.formats import ParsedArticle, RecordFailure
from service.ingest.reader import Fingerprinted
from service.ingest.store import ArticleInput, ArticleWriter, RejectedRecord, WriteResult
from service.settings import Settings

BATCH_SIZE = 500
# The follower commits the index once per FOLLOW_BATCH changes, or once FOLLOW_WAIT_S has passed with
# fewer pending: every tantivy commit writes and syncs new segment files and later merges them, so on
# the real corpus commits of 250 cost about 60% more indexing CPU than commits of 2,500.
FOLLOW_BATCH = 2_500
FOLLOW_WAIT_S = 1.0
# A bulk run can store faster than it indexes; it waits while this many changes are still unindexed,
# so everything committed (by the run or by anyone else) is searchable a second or two later.
MAX_PENDING = 2 * FOLLOW_BATCH
# Spellings the follower keeps analysed (~150 MB at most, in that process only): the real corpus has
# ~410k, so with the default 200k its cache would start afresh twice (full corpus 38.3 -> 36.7 s).
BULK_WORD_CACHE = 600_000
# A bulk run's SQLite connection (the CLI's own process): a page cache that holds the LSH band and hash
# indexes' hot pages (each batch inserts ~6,000 band keys at random places), and checkpoints every
# ~80 MB of WAL instead of every 4 MB, so a page rewritten by several batches is copied back once.
# On 30,000 scale-up articles into a 270,000-article archive: commit time 9.6 -> 7.8 s, system CPU
# 13.0 -> 9.6 s. Never set on a server's connections (``sync_each_batch`` runs).
BULK_PRAGMAS = ("cache_size=-262144", "wal_autocheckpoint=20000")
log = logging.getLogger("arshif.ingest")
OUTCOME_FIELDS = {"added": "added", "updated": "updated", "unchanged": "unchanged", "duplicate": "duplicates"}


@dataclass
class IngestSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    failed: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    inputs: list[str] = field(default_factory=list)

    @property
    def records(self) -> int:
        return self.added + self.updated + self.unchanged + self.duplicates + self.failed

    def fail(self, origin: str, reason: str) -> None:
        self.failed += 1
        if len(self.failures) < 10_000:
            self.failures.append({"origin": origin, "reason": reason})

    def as_dict(self) -> dict:
        return asdict(self) | {"records": self.records}


def to_input(parsed: ParsedArticle) -> ArticleInput:
    return ArticleInput(
        body=parsed.body,
        title=parsed.title,
        url=parsed.url,
        external_id=parsed.external_id,
        source=parsed.source,
        author=parsed.author,
        section=parsed.section,
        published_at=parsed.published_at,
        language=parsed.language,
        metadata=parsed.metadata or None,
        fingerprint=parsed.fingerprint if isinstance(parsed, Fingerprinted) else None,
    )


def _follow(settings: Settings, parent: Connection) -> None:
    """Runs in a second process during a bulk ingest: analyzes and indexes what the first one stores.
    It stops when the parent says so or dies (the pipe then reads as closed), never lingering."""
    set_cache_limit(BULK_WORD_CACHE)
    archive = Archive(settings)
    last_commit = time.monotonic()
    while True:
        stopping = parent.poll(0.05)
        if (
            not stopping
            and archive.index.pending(archive.db) < FOLLOW_BATCH
            and time.monotonic() - last_commit < FOLLOW_WAIT_S
        ):
            continue
        if archive.index.sync(archive.db, max_batches=1, batch=FOLLOW_BATCH):
            last_commit = time.monotonic()
        elif stopping:
            break
    archive.close()


@contextmanager
def background_indexer(archive: Archive) -> Iterator[None]:
    """Store in this process and index in another, so both cores work; the caller's final
    ``sync`` picks up whatever the follower had not applied when it stopped."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=_follow, args=(archive.settings, theirs), daemon=True)
    process.start()
    theirs.close()
    try:
        yield
    finally:
        ours.send("stop")
        process.join(timeout=600)
        if process.is_alive():
            process.kill()


def _wait_for_indexer(archive: Archive, patience_s: float = 60.0) -> None:
    """Back-pressure for bulk runs; if the indexer stops making progress, index here instead."""
    deadline = time.monotonic() + patience_s
    last = archive.index.pending(archive.db)
    while last > MAX_PENDING:
        time.sleep(0.05)
        now = archive.index.pending(archive.db)
        if now < last:
            deadline = time.monotonic() + patience_s
        elif time.monotonic() > deadline:
            archive.index.sync(archive.db)
            return
        last = now


def ingest(
    archive: Archive,
    records: Iterable[ParsedArticle | RecordFailure],
    *,
    inputs: list[str] | None = None,
    on_record: Callable[[], None] | None = None,
    batch_size: int = BATCH_SIZE,
    sync_each_batch: bool = True,
) -> IngestSummary:
    """Store the records batch by batch. With ``sync_each_batch`` (the default) the index follows
    every batch in this process; a bulk run turns it off and indexes in a ``background_indexer``."""
    summary = IngestSummary(inputs=list(inputs or []))
    started = time.perf_counter()
    batch: list[ParsedArticle] = []

    def flush() -> None:
        if batch:
            _write_batch(archive, batch, summary, bulk=not sync_each_batch)
            batch.clear()
            if sync_each_batch:
                archive.index.sync(archive.db)
            else:
                _wait_for_indexer(archive)

    last_origin: str | None = None
    try:
        for record in records:
            last_origin = record.origin
            if isinstance(record, RecordFailure):
                summary.fail(record.origin, record.reason)
            else:
                batch.append(record)
                if len(batch) >= batch_size:
                    flush()
            if on_record:
                on_record()
    except IngestStopped as stop:
        # The records parsed before the stop are whole: store them (a batch at most), so the answer
        # can say exactly what was kept and where the input was cut; nothing after that was read.
        _finish(archive, summary, flush, started)
        stopped = stop.after(summary.records - summary.failed, summary.failed, last_origin)
        log.warning(
            "ingest stopped",
            extra={
                "fields": {
                    "reason": stop.reason_en,
                    "status": stop.status,
                    "stored": summary.records - summary.failed,
                    "failed": summary.failed,
                    "last_origin": last_origin,
                }
            },
        )
        raise stopped from None
    _finish(archive, summary, flush, started)
    return summary


def _finish(archive: Archive, summary: IngestSummary, flush: Callable[[], None], started: float) -> None:
    flush()
    archive.index.sync(archive.db)
    summary.seconds = round(time.perf_counter() - started, 3)
    _record_run(archive, summary)


def _write_batch(
    archive: Archive, batch: list[ParsedArticle], summary: IngestSummary, *, bulk: bool = False
) -> None:
    """One transaction for the batch (replanned if a concurrent writer won a race); if the database
    still refuses it, redo it record by record so only the offending records fail."""

    def store(items: list[ParsedArticle]) -> Callable[[Session], list[WriteResult | RejectedRecord]]:
        def work(session: Session) -> list[WriteResult | RejectedRecord]:
            if bulk and session.get_bind().dialect.name == "sqlite":
                for pragma in BULK_PRAGMAS:
                    session.execute(text(f"PRAGMA {pragma}"))
            return ArticleWriter(session).upsert_many([to_input(p) for p in items])

        return work

    try:
        results = archive.db.write(store(batch))
    except SQLAlchemyError:
        results = []
        for parsed in batch:
            try:
                results.extend(archive.db.write(store([parsed])))
            except SQLAlchemyError as exc:
                results.append(RejectedRecord(f"could not store record: {type(exc).__name__}"))
    for parsed, result in zip(batch, results):
        if isinstance(result, RejectedRecord):
            summary.fail(parsed.origin, str(result))
        else:
            attr = OUTCOME_FIELDS[result.outcome]
            setattr(summary, attr, getattr(summary, attr) + 1)


def _record_run(archive: Archive, summary: IngestSummary) -> None:
    with archive.db.writing() as session:
        session.add(
            IngestRun(
                finished_at=utcnow(),
                added=summary.added,
                updated=summary.updated,
                unchanged=summary.unchanged,
                duplicates=summary.duplicates,
                failed=summary.failed,
                inputs=summary.inputs[:100],
            )
        )
