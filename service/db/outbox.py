"""The change outbox, written by every writer and followed by every node's index.

A sequence number is handed out when a change row is inserted but becomes visible only when its
transaction commits. With one writer (SQLite's ``BEGIN IMMEDIATE``) the two orders agree. On
PostgreSQL, writers on several nodes run at once, and a follower reading "seq > watermark" could step
over a number that commits late and never look back. So a PostgreSQL writer takes one
transaction-scoped advisory lock just before logging its changes and holds it until commit: numbers
become visible in the order they were handed out, and the watermark never skips one. The same
transaction sends ``NOTIFY``, delivered at commit, which wakes the followers at once; they also poll,
so a lost notification only costs a poll interval.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import cast

import psycopg
from sqlalchemy import Connection, Table, insert, make_url, text
from sqlalchemy.orm import Session

from service.db.engine import note_changes
from service.db.models import Change, utcnow

CHANNEL = "arshif_changes"
OUTBOX_LOCK = 0x41727368  # "Arsh": one advisory lock key for the whole outbox
LISTENER_NAME = "arshif-listen"  # application_name of the LISTEN connections, for pg_stat_activity

log = logging.getLogger("arshif.outbox")


def record_changes(session: Session | Connection, ids: Iterable[int], op: str = "upsert") -> None:
    """Log changes in the caller's transaction; call it last, just before commit (the lock is held
    from here to the end of the transaction). The commit then announces ``op`` to this process's
    listeners (``Database.after_commit``). A migration that writes articles logs them here too,
    through its connection (no listener hears that commit; every index reads the log)."""
    rows = [{"article_id": i, "op": op, "at": utcnow()} for i in ids]
    if not rows:
        return
    if isinstance(session, Connection):
        dialect = session.dialect
    else:
        note_changes(session, [op])
        dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": OUTBOX_LOCK})
        session.execute(text(f"NOTIFY {CHANNEL}"))
    session.execute(
        insert(cast(Table, Change.__table__)), rows
    )  # Core executemany: no ORM bookkeeping per row


def libpq_conninfo(sqlalchemy_url: str) -> str:
    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)


class ChangeNotifications:
    """PostgreSQL ``LISTEN`` in a thread of its own: calls ``on_change`` whenever any node commits
    changes, and once after every (re)connection to catch up on what it may have missed."""

    RETRY_S = 2.0

    def __init__(self, sqlalchemy_url: str, on_change: Callable[[], None]) -> None:
        self.conninfo = libpq_conninfo(sqlalchemy_url)
        self.on_change = on_change
        self.listening = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="arshif-listen", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(
                    self.conninfo, autocommit=True, connect_timeout=10, application_name=LISTENER_NAME
                ) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.listening = True
                    self.on_change()
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=1.0):
                            self.on_change()
            except psycopg.Error as exc:
                if self.listening:
                    log.warning(
                        "change notifications lost; polling until reconnected",
                        extra={"fields": {"error": str(exc)}},
                    )
                self.listening = False
                self._stop.wait(self.RETRY_S)
        self.listening = False
