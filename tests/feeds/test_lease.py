"""The poller lease: one holder at a time, renewed by its holder, taken over once it expires."""

from __future__ import annotations

import threading
import time

from service.feeds.store import lease_holder, release_lease, take_lease


def test_one_holder_at_a_time(archive) -> None:
    db = archive.db
    assert lease_holder(db) is None
    assert take_lease(db, "worker-a", ttl_s=0.5)
    assert not take_lease(db, "worker-b", ttl_s=0.5)
    assert take_lease(db, "worker-a", ttl_s=0.5)  # renewed
    assert lease_holder(db) == "worker-a"
    time.sleep(0.6)
    assert lease_holder(db) is None
    assert take_lease(db, "worker-b", ttl_s=30)  # expired: another takes over
    assert not take_lease(db, "worker-a", ttl_s=30)
    release_lease(db, "worker-a")  # not the holder: nothing changes
    assert lease_holder(db) == "worker-b"
    release_lease(db, "worker-b")
    assert take_lease(db, "worker-a", ttl_s=30)


def test_many_asking_at_once_one_wins(archive) -> None:
    wins: list[str] = []
    start = threading.Barrier(8)

    def ask(name: str) -> None:
        start.wait()
        if take_lease(archive.db, name, ttl_s=30):
            wins.append(name)

    threads = [threading.Thread(target=ask, args=(f"w{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1
