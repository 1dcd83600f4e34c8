"""The on-disk search index: generations, the watermark, the writer lock and reconciliation.

Layout under ``<data_dir>/index/``::

    CURRENT          name of the live generation (replaced atomically by a rebuild)
    writer.lock      one index writer at a time, across processes
    g<timestamp>/    a tantivy index plus ``arshif.json``: analyzer version and the last change applied

The index never holds anything the database cannot give back. It follows the ``changes`` outbox:
``sync`` applies every change after the watermark (delete by id, re-add from the row), so replaying a
change twice is harmless and a crash between the tantivy commit and the watermark write costs nothing.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import tantivy
from filelock import FileLock
from sqlalchemy import func, select

from service.analysis import ANALYZER_VERSION
from service.db import Article, Change, Database, Source
from service.errors import IndexUnavailable
from service.index.document import build_document
from service.index.schema import SCHEMA_VERSION, build_schema, open_index
from service.index.searching import fast_ints

log = logging.getLogger(__name__)

META_FILE = "arshif.json"
SYNC_BATCH = 2000
WRITER_HEAP = 256 * 1024 * 1024
RELOAD_EVERY_S = 0.2
ARTICLE_OPS = ("upsert", "delete")


@dataclass
class IndexMeta:
    analyzer_version: str
    schema_version: int
    applied_seq: int = 0

    @property
    def is_current(self) -> bool:
        """False when built by another analyzer or schema: its terms cannot be trusted."""
        return self.analyzer_version == ANALYZER_VERSION and self.schema_version == SCHEMA_VERSION


class SearchIndex:
    """One process's handle on the index: a searcher that stays fresh, and the means to write."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.schema = build_schema()
        self._lock = FileLock(str(self.root / "writer.lock"))
        self._local = threading.Lock()
        self._generation: str | None = None
        self._index: tantivy.Index | None = None
        self._checked_at = 0.0
        self._current_mtime = 0.0
        self._current_for: tuple[str | None, bool] | None = None  # (generation, built by this analyzer?)
        # The reader reloads only when told (``_reload``), so the searchers it hands out change only
        # there; ``_state`` counts those changes (``snapshot``), ``_meta_seen`` is what the last reload saw.
        self._state = 0
        self._meta_seen: bytes | None = None

    # -- generations ---------------------------------------------------------------------------

    @property
    def _current_file(self) -> Path:
        return self.root / "CURRENT"

    def _read_current(self) -> str | None:
        try:
            return self._current_file.read_text().strip() or None
        except FileNotFoundError:
            return None

    def _new_generation(self) -> Path:
        name = f"g{time.time_ns()}"
        path = self.root / name
        path.mkdir(parents=True)
        tantivy.Index(self.schema, path=str(path))
        self._write_meta(path, IndexMeta(ANALYZER_VERSION, SCHEMA_VERSION, 0))
        return path

    def _switch_to(self, path: Path) -> None:
        tmp = self.root / "CURRENT.tmp"
        tmp.write_text(path.name)
        os.replace(tmp, self._current_file)
        self._open(path.name)
        for old in self.root.glob("g*"):
            if old.is_dir() and old.name != path.name:
                shutil.rmtree(old, ignore_errors=True)

    def _open(self, generation: str) -> None:
        index = open_index(self.root / generation)
        index.config_reader(reload_policy="manual")
        self._index, self._generation = index, generation
        self._current_mtime = self._current_file.stat().st_mtime
        self._state += 1
        self._meta_seen = None

    def _reload(self) -> None:
        """Reload the reader if the live generation committed since the last reload (tantivy rewrites
        its meta.json on every commit and merge): a new state of the index. Called under ``_local``.
        The file is read before the reload, so a commit in between only causes one more reload."""
        assert self._index is not None and self._generation is not None
        try:
            meta = (self.root / self._generation / "meta.json").read_bytes()
        except FileNotFoundError:
            meta = None
        if meta is None or meta != self._meta_seen:
            self._index.reload()
            self._meta_seen = meta
            self._state += 1

    def _follow_current(self) -> None:
        """Open the generation CURRENT names if another process swapped one in (a rebuild, a reindex):
        a writer must never commit to a generation that is being deleted. Called under the writer lock."""
        current = self._read_current()
        if current is not None and current != self._generation and (self.root / current).is_dir():
            with self._local:
                self._open(current)

    def ensure(self) -> None:
        """Open the live generation, creating an empty one on first use."""
        self.root.mkdir(parents=True, exist_ok=True)
        with self._local:
            if self._index is not None:
                return
            with self._lock:
                generation = self._read_current()
                if generation is None or not (self.root / generation).is_dir():
                    self._switch_to(self._new_generation())
                else:
                    self._open(generation)

    @property
    def path(self) -> Path:
        self.ensure()
        assert self._generation is not None
        return self.root / self._generation

    # -- metadata ------------------------------------------------------------------------------

    @staticmethod
    def _write_meta(path: Path, meta: IndexMeta) -> None:
        tmp = path / (META_FILE + ".tmp")
        tmp.write_text(json.dumps(asdict(meta)))
        os.replace(tmp, path / META_FILE)

    @staticmethod
    def _read_meta(path: Path) -> IndexMeta:
        return IndexMeta(**json.loads((path / META_FILE).read_text()))

    @property
    def meta(self) -> IndexMeta:
        return self._read_meta(self.path)

    @property
    def is_current(self) -> bool:
        """False when the index was built by another analyzer or schema: its terms cannot be trusted."""
        return self.meta.is_current

    # -- reading -------------------------------------------------------------------------------

    def searcher(self) -> tantivy.Searcher:
        return self.snapshot()[0]

    def snapshot(self) -> tuple[tantivy.Searcher, int]:
        """A searcher, fresh within ``RELOAD_EVERY_S`` (at once after this process wrote), and the number
        of the index state it sees. Two searchers with one number see the very same documents, so what
        one answers can be kept for the other (``service/search/facts.py``); after a commit, a merge or
        a rebuild the number is another."""
        self.ensure()
        now = time.monotonic()
        check = now - self._checked_at > RELOAD_EVERY_S
        if check:
            self._checked_at = now
            try:
                mtime = self._current_file.stat().st_mtime
            except FileNotFoundError:
                mtime = self._current_mtime
        with self._local:
            if check:
                if mtime != self._current_mtime and self._read_current() != self._generation:
                    self._open(self._read_current() or "")
                self._reload()
            assert self._index is not None
            snapshot = self._index.searcher(), self._state
        if not self.is_current_cached():
            raise IndexUnavailable(
                "الفهرس بُني بمحلّل نصوص أقدم؛ يلزم إعادة بنائه بالأمر: arshif reindex",
                "The index was built by another analyzer version; rebuild it with: arshif reindex",
            )
        return snapshot

    def is_current_cached(self) -> bool:
        """``is_current`` read once per generation: searches should not re-read the meta file."""
        if self._current_for is None or self._current_for[0] != self._generation:
            self._current_for = (self._generation, self.is_current)
        return self._current_for[1]

    def num_docs(self) -> int:
        self.ensure()
        with self._local:
            self._reload()
            assert self._index is not None
            return self._index.searcher().num_docs

    def size_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())

    def indexed_ids(self) -> set[int]:
        searcher = self.searcher()
        total = searcher.num_docs
        if total == 0:
            return set()
        hits = searcher.search(tantivy.Query.all_query(), limit=total, count=False).hits
        return set(fast_ints(searcher, "id", [address for _, address in hits]))

    # -- writing -------------------------------------------------------------------------------

    def writer_lock(self) -> FileLock:
        """Held, no process commits to the index (backups copy it under this lock)."""
        return self._lock

    def sync(self, db: Database, *, max_batches: int | None = None, batch: int = SYNC_BATCH) -> int:
        """Apply every change after the watermark; returns how many changes were applied."""
        self.ensure()
        applied = 0
        with self._lock:
            self._follow_current()
            path = self.path
            meta = self._read_meta(path)
            if not meta.is_current:
                log.warning("index built by another analyzer version; not syncing until `arshif reindex`")
                return 0
            batches = 0
            while max_batches is None or batches < max_batches:
                changes = _changes_after(db, meta.applied_seq, batch)
                if not changes:
                    break
                ids = sorted({article_id for _, article_id in changes if article_id is not None})
                if ids:
                    index = open_index(path)
                    writer = index.writer(WRITER_HEAP, 1)
                    for article_id in ids:
                        writer.delete_documents_by_term("id", article_id)
                    for doc in _documents(db, ids):
                        writer.add_document(doc)
                    writer.commit()
                    writer.wait_merging_threads()
                meta.applied_seq = changes[-1][0]
                self._write_meta(path, meta)
                applied += len(changes)
                batches += 1
        if applied:
            self._checked_at = 0.0
        return applied

    def rebuild(self, db: Database, progress: Callable[[int], None] | None = None) -> int:
        """Build a fresh generation from the database alone, then swap it in atomically."""
        self.root.mkdir(parents=True, exist_ok=True)
        path = self._new_generation()
        start_seq = _max_seq(db)
        index = open_index(path)
        writer = index.writer(WRITER_HEAP, 1)
        count = 0
        for ids in _all_ids(db, SYNC_BATCH):
            for doc in _documents(db, ids):
                writer.add_document(doc)
            count += len(ids)
            if progress:
                progress(len(ids))
        writer.commit()
        writer.wait_merging_threads()
        self._write_meta(path, IndexMeta(ANALYZER_VERSION, SCHEMA_VERSION, start_seq))
        with self._lock:
            self._switch_to(path)
        self._current_for = None
        self.sync(db)  # whatever changed while we were building
        return count

    def reconcile(self, db: Database) -> dict[str, int]:
        """Start-up check: apply pending changes, then make sure ids agree with the database.

        Decided and, if need be, rebuilt under the writer lock: the worker processes of one server
        start together, and one builds while the others wait and then find the index built."""
        self.ensure()
        with self._lock:
            self._follow_current()
            meta, head = self.meta, _max_seq(db)
            brand_new = meta.applied_seq == 0 and head > 0 and self.num_docs() == 0
            if not meta.is_current or meta.applied_seq > head or brand_new:
                # Another analyzer, an index from the future (the database was restored), or a new node
                # joining a populated database: build from the articles rather than replay every change.
                return {"rebuilt": self.rebuild(db), "applied": 0, "repaired": 0}
        applied = self.sync(db)
        repaired = 0
        if self.num_docs() != article_count(db):
            repaired = self._repair(db)
        return {"rebuilt": 0, "applied": applied, "repaired": repaired}

    def _repair(self, db: Database) -> int:
        with db.reading() as session:
            stored = set(session.scalars(select(Article.id)))
        indexed = self.indexed_ids()
        missing, gone = stored - indexed, indexed - stored
        if not missing and not gone:
            return 0
        log.warning(
            "index disagreed with the database",
            extra={"fields": {"missing": len(missing), "gone": len(gone)}},
        )
        with self._lock:
            index = open_index(self.path)
            writer = index.writer(WRITER_HEAP, 1)
            for article_id in gone | missing:
                writer.delete_documents_by_term("id", article_id)
            ordered = sorted(missing)
            for start in range(0, len(ordered), SYNC_BATCH):
                for doc in _documents(db, ordered[start : start + SYNC_BATCH]):
                    writer.add_document(doc)
            writer.commit()
            writer.wait_merging_threads()
        self._checked_at = 0.0
        return len(missing) + len(gone)

    def pending(self, db: Database) -> int:
        """Changes committed to the database and not yet applied here."""
        return max(0, _max_seq(db) - self.meta.applied_seq)

    def lag(self, db: Database) -> dict[str, float | int]:
        applied = self.meta.applied_seq
        with db.reading() as session:
            pending = (
                session.scalar(select(func.count()).select_from(Change).where(Change.seq > applied)) or 0
            )
            oldest = session.scalar(select(func.min(Change.at)).where(Change.seq > applied))
        seconds = 0.0
        if oldest is not None:
            from service.db.models import utcnow

            seconds = max(0.0, (utcnow() - oldest).total_seconds())
        return {"pending_changes": int(pending), "lag_seconds": seconds, "applied_seq": applied}


def article_count(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(Article)) or 0


def _max_seq(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.max(Change.seq))) or 0


def _changes_after(db: Database, seq: int, limit: int) -> list[tuple[int, int | None]]:
    """(seq, article id), the id None for changes that are not an article's (synonyms)."""
    with db.reading() as session:
        rows = session.execute(
            select(Change.seq, Change.article_id, Change.op)
            .where(Change.seq > seq)
            .order_by(Change.seq)
            .limit(limit)
        )
        return [(row.seq, row.article_id if row.op in ARTICLE_OPS else None) for row in rows]


def _all_ids(db: Database, batch: int) -> Iterator[list[int]]:
    last = 0
    while True:
        with db.reading() as session:
            ids = list(
                session.scalars(select(Article.id).where(Article.id > last).order_by(Article.id).limit(batch))
            )
        if not ids:
            return
        yield ids
        last = ids[-1]


def _documents(db: Database, ids: list[int]) -> Iterator[tantivy.Document]:
    columns = (
        Article.id,
        Article.title,
        Article.body,
        Source.name,
        Article.author,
        Article.section,
        Article.published_at,
        Article.cluster_id,
    )
    with db.reading() as session:
        rows = session.execute(select(*columns).outerjoin(Source).where(Article.id.in_(ids))).all()
    for row in rows:
        yield build_document(*row)
