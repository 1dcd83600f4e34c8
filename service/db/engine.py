"""Engine and sessions, with SQLite configured for a server: WAL, foreign keys, busy timeout, one writer.

Readers use plain deferred transactions and, thanks to WAL, never wait for an ingest. Writers start
with ``BEGIN IMMEDIATE`` so two writers queue on the busy timeout instead of failing half-way with
"database is locked" when a read transaction tries to upgrade.

SQLite's busy handler is not fair: a waiter polls with growing sleeps, and a writer that has just
committed takes the lock again before a sleeping waiter wakes, so threads of one process sharing a
``Database`` can starve until the busy timeout. They therefore first queue, first come first served,
on a lock of this process (``FairLock``) and only then ask SQLite. Between processes the busy timeout
remains, and a write that still finds the database locked is retried whole until ``WRITE_DEADLINE_S``,
then refused with ``StoreBusy`` (a 503 with ``Retry-After``), never a 500.

What must follow every write (wake this process's index follower, drop its synonym cache) hangs on the
commit itself: ``Database.after_commit`` listeners hear of each committed transaction that logged
changes, whichever code wrote it — a route, the ingest pipeline, the synonym store.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from service.errors import ArshifError

if TYPE_CHECKING:
    import sqlite3

    from sqlalchemy.pool import ConnectionPoolEntry

BUSY_TIMEOUT_MS = 5_000  # one wait for another process's write lock; a write is retried up to the deadline
WRITE_DEADLINE_S = 30.0
# PostgreSQL's words for "another transaction got in the way": serialization failure, deadlock.
RACE_SQLSTATES = {"40001", "40P01"}
T = TypeVar("T")
# What a committed transaction changed, by the outbox's kinds of change ("upsert", "delete", "synonyms").
CommitListener = Callable[[frozenset[str]], None]
_CHANGES = "arshif.changes"  # key in Session.info: the kinds of change the transaction logged

log = logging.getLogger("arshif.db")


def note_changes(session: Session, kinds: Iterable[str]) -> None:
    """Remember that this transaction changed ``kinds``; the commit announces them (see ``after_commit``).
    Called by the outbox as it logs changes, so that anything written for the index is announced too."""
    session.info.setdefault(_CHANGES, set()).update(kinds)


class StoreBusy(ArshifError):
    status = 503
    type = "store-busy"
    retry_after = 5

    def __init__(self, waited_s: float) -> None:
        super().__init__(
            f"قاعدة البيانات مشغولة بكتابة أخرى منذ {waited_s:.0f} ثانية؛ أعد المحاولة بعد قليل",
            f"the database has been busy with another writer for {waited_s:.0f} s; try again shortly",
        )


def lost_a_race(exc: DBAPIError) -> bool:
    """A concurrent writer won: a unique key it committed first, or a deadlock between the two."""
    return isinstance(exc, IntegrityError) or getattr(exc.orig, "sqlstate", None) in RACE_SQLSTATES


def is_locked(exc: DBAPIError) -> bool:
    """SQLite's "database is locked": another process held the write lock past the busy timeout."""
    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig)


class FairLock:
    """First come, first served; the thread holding it may take it again (a write inside a write).

    Other processes (a bulk ``arshif ingest`` beside the server) wait in SQLite's busy handler, which
    polls every 100 ms at most; threads handed the lock straight from one another would leave them no
    gap. So after ``share_after_s`` of continuous use the queue pauses for ``pause_s`` before the next
    thread's turn: another process waiting for the write lock gets it within about a second."""

    def __init__(self, share_after_s: float = 1.0, pause_s: float = 0.15) -> None:
        self._changed = threading.Condition()
        self._queue: list[object] = []  # waiting tickets, oldest first; the holder is not in it
        self._owner: int | None = None
        self._depth = 0
        self._busy_since: float | None = None  # when the lock last went from free to held
        self._paused_until = 0.0
        self.share_after_s, self.pause_s = share_after_s, pause_s

    def acquire(self, timeout: float) -> bool:
        me = threading.get_ident()
        with self._changed:
            if self._owner == me:
                self._depth += 1
                return True
            ticket = object()
            self._queue.append(ticket)
            deadline = time.monotonic() + timeout
            while True:
                now = time.monotonic()
                my_turn = self._owner is None and self._queue[0] is ticket
                if my_turn and now >= self._paused_until:
                    break
                if now >= deadline:
                    self._queue.remove(ticket)
                    self._changed.notify_all()
                    return False
                wake = min(deadline, self._paused_until) if my_turn else deadline
                self._changed.wait(max(wake - now, 0.001))
            self._queue.pop(0)
            self._owner, self._depth = me, 1
            if self._busy_since is None:
                self._busy_since = now
            return True

    def release(self) -> None:
        with self._changed:
            self._depth -= 1
            if self._depth:
                return
            self._owner = None
            now = time.monotonic()
            if not self._queue:
                self._busy_since = None
            elif self._busy_since is not None and now - self._busy_since >= self.share_after_s:
                self._paused_until, self._busy_since = now + self.pause_s, None
            self._changed.notify_all()


# Execution option of a connection that runs one read-only statement (the search page's hits).
SINGLE_STATEMENT = "arshif_single_statement"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get(SINGLE_STATEMENT, False):
            return  # one SELECT reads one consistent state on its own: no BEGIN/ROLLBACK round trips
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


class Database:
    """One engine and its two session factories (read, write)."""

    def __init__(self, url: str, write_deadline_s: float = WRITE_DEADLINE_S) -> None:
        self.url = url
        self.write_deadline_s = write_deadline_s
        self.engine = make_engine(url)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        writer_engine = self.engine.execution_options(sqlite_immediate=True)
        self._write = sessionmaker(writer_engine, expire_on_commit=False)
        self._writers = FairLock() if self.engine.dialect.name == "sqlite" else None
        self._listeners: list[CommitListener] = []

    def after_commit(self, listener: CommitListener) -> Callable[[], None]:
        """Call ``listener(kinds)`` after each write transaction of this ``Database`` that logged changes
        commits (never after a rollback); returns the function that removes it again.

        It runs in the writer's thread once the write lock is given back, so it should be quick (set an
        event, drop a cache). An error in it is logged and goes no further: the write has committed.
        Writes by other processes or other ``Database`` objects are not announced here; the index
        follower hears of those by polling the outbox (and by ``LISTEN`` on PostgreSQL)."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _announce(self, session: Session) -> None:
        kinds = frozenset(session.info.pop(_CHANGES, ()))
        if not kinds:
            return
        for listener in list(self._listeners):
            try:
                listener(kinds)
            except Exception:  # the transaction is committed; a listener cannot undo it
                log.exception("after-commit listener failed", extra={"fields": {"listener": repr(listener)}})

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._read() as session:
            yield session

    @contextmanager
    def writing(self, deadline_s: float | None = None) -> Iterator[Session]:
        """A write transaction: committed on success, rolled back on any error (nothing half-written);
        the ``after_commit`` listeners hear of it once it has committed.
        On SQLite the threads of this process take their turns in the order they asked."""
        deadline_s = self.write_deadline_s if deadline_s is None else deadline_s
        if self._writers is None:
            with self._write() as session, session.begin():
                yield session
            self._announce(session)
            return
        started = time.monotonic()
        if not self._writers.acquire(deadline_s):
            raise StoreBusy(deadline_s)
        try:
            with self._locked_session(started + deadline_s, deadline_s) as session:
                try:
                    yield session
                except BaseException:
                    session.rollback()
                    raise
                session.commit()
        finally:
            self._writers.release()
        self._announce(session)

    def _locked_session(self, deadline: float, deadline_s: float) -> Session:
        """A session whose transaction already holds SQLite's write lock: ``BEGIN IMMEDIATE`` runs at
        once, and again after each busy timeout (another process kept the lock) until the deadline."""
        while True:
            session = self._write()
            try:
                session.begin()
                session.connection()  # runs BEGIN IMMEDIATE
                return session
            except OperationalError as exc:
                session.close()
                if not is_locked(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise StoreBusy(deadline_s) from None

    def write(self, work: Callable[[Session], T], attempts: int = 3) -> T:
        """Run ``work`` in a write transaction, again from the start if a concurrent writer won: on
        PostgreSQL another node's unique key or a deadlock (the retry plans against what that writer
        committed, so the same article arriving twice becomes "unchanged" or "duplicate", not an
        error); on SQLite another process holding the write lock past the busy timeout, retried until
        the write deadline and then refused with ``StoreBusy``."""
        deadline_s = self.write_deadline_s
        started = time.monotonic()
        races = 0
        while True:
            left = deadline_s - (time.monotonic() - started)
            if left <= 0:
                raise StoreBusy(deadline_s)
            try:
                with self.writing(left) as session:
                    return work(session)
            except DBAPIError as exc:
                if is_locked(exc):
                    continue
                races += 1
                if races == attempts or not lost_a_race(exc):
                    raise

    def dispose(self) -> None:
        self.engine.dispose()


@lru_cache(maxsize=8)
def get_database(url: str) -> Database:
    return Database(url)
