"""Engine and sessions, with SQLite configured for a server: WAL, foreign keys, busy timeout, one writer.

Readers use plain deferred transactions and, thanks to WAL, never wait for an ingest. Writers start
with ``BEGIN IMMEDIATE`` so two writers queue on the busy timeout instead of failing half-way with
"database is locked" when a read transaction tries to upgrade.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS = 30_000
# PostgreSQL's words for "another transaction got in the way": serialization failure, deadlock.
RACE_SQLSTATES = {"40001", "40P01"}
T = TypeVar("T")


def lost_a_race(exc: DBAPIError) -> bool:
    """A concurrent writer won: a unique key it committed first, or a deadlock between the two."""
    return isinstance(exc, IntegrityError) or getattr(exc.orig, "sqlstate", None) in RACE_SQLSTATES


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


class Database:
    """One engine and its two session factories (read, write)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        writer_engine = self.engine.execution_options(sqlite_immediate=True)
        self._write = sessionmaker(writer_engine, expire_on_commit=False)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._read() as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A write transaction: committed on success, rolled back on any error (nothing half-written)."""
        with self._write() as session, session.begin():
            yield session

    def write(self, work: Callable[[Session], T], attempts: int = 3) -> T:
        """Run ``work`` in a write transaction, again from the start if a concurrent writer (another
        node on PostgreSQL) won a race: the retry plans against what that writer committed, so the
        same article arriving twice becomes one article and an "unchanged" or "duplicate", not an error."""
        for attempt in range(1, attempts + 1):
            try:
                with self.writing() as session:
                    return work(session)
            except DBAPIError as exc:
                if attempt == attempts or not lost_a_race(exc):
                    raise
        raise AssertionError("unreachable")

    def dispose(self) -> None:
        self.engine.dispose()


@lru_cache(maxsize=8)
def get_database(url: str) -> Database:
    return Database(url)
