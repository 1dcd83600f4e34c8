"""The server's indexer thread: reconcile at start-up, then follow the outbox.

Changes committed by this process or any other (an ``arshif ingest`` beside the server, or another
node writing to the same PostgreSQL) reach the index within about a second: a poll every quarter
second, and on PostgreSQL a ``LISTEN`` that wakes the thread as soon as another node commits.
"""

from __future__ import annotations

import logging
import threading

from service.archive import Archive
from service.db.outbox import ChangeNotifications

log = logging.getLogger("arshif.indexer")
POLL_S = 0.25


class IndexFollower:
    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.ready = threading.Event()
        self.error: str | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="arshif-indexer", daemon=True)
        self.notifications = (
            ChangeNotifications(archive.settings.sqlalchemy_url, self.poke)
            if archive.settings.is_postgresql
            else None
        )

    @property
    def change_feed(self) -> str:
        """How this node hears of changes: "listen" (PostgreSQL NOTIFY) or "poll"."""
        return "listen" if self.notifications and self.notifications.listening else "poll"

    def start(self) -> None:
        self._thread.start()
        if self.notifications:
            self.notifications.start()

    def stop(self) -> None:
        if self.notifications:
            self.notifications.stop()
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=30)

    def poke(self) -> None:
        """Sync now instead of at the next poll."""
        self._wake.set()

    def on_commit(self, kinds: frozenset[str]) -> None:
        """A ``Database.after_commit`` listener: whatever this process commits (through a route, the
        ingest pipeline or the synonym store) is indexed at once, not at the next poll."""
        self.poke()

    def _run(self) -> None:
        try:
            report = self.archive.index.reconcile(self.archive.db)
            log.info("index reconciled", extra={"fields": report})
            self.ready.set()
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            log.exception("index reconciliation failed")
        while not self._stop.is_set():
            self._wake.wait(POLL_S)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self.archive.index.sync(self.archive.db)
                if not self.ready.is_set():
                    self.archive.index.reconcile(self.archive.db)
                    self.ready.set()
                self.error = None
            except Exception as exc:
                self.error = f"{type(exc).__name__}: {exc}"
                log.exception("index sync failed")
