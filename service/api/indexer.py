"""The server's indexer thread: reconcile at start-up, then follow the outbox.

Changes committed by this process or any other (an ``arshif ingest`` running beside the server)
reach the index within about a second.
"""

from __future__ import annotations

import logging
import threading

from service.archive import Archive

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

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=30)

    def poke(self) -> None:
        """Sync now (after a write in this process) instead of at the next poll."""
        self._wake.set()

    def _run(self) -> None:
        try:
            report = self.archive.index.reconcile(self.archive.db)
            log.info("index reconciled", extra={"fields": report})
            self.ready.set()
        except Exception as exc:  # noqa: BLE001 - reported through /readyz, retried below
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
            except Exception as exc:  # noqa: BLE001
                self.error = f"{type(exc).__name__}: {exc}"
                log.exception("index sync failed")
