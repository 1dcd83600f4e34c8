"""The server polls due feeds by itself, with one poller however many workers serve."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from service.archive import Archive
from service.db.models import FeedLease
from service.feeds.store import add_feed
from service.settings import Settings
from tests.conftest import Server, database_for, migrate, wait_until
from tests.feeds.conftest import Site


@pytest.mark.slow
def test_a_two_worker_server_polls_each_feed_once_per_round(data_dir: Path, site: Site) -> None:
    settings = Settings(data_dir=data_dir, database_url=database_for(data_dir))
    migrate(settings)
    archive = Archive(settings)
    try:
        add_feed(archive.db, site.url("/rss.xml"))
        add_feed(archive.db, site.url("/atom.xml"))
    finally:
        archive.close()
    server = Server(data_dir, workers=2, ARSHIF_FEED_INTERVAL="1", ARSHIF_FEED_DELAY="0").start()
    try:
        with server.client() as client:

            def polled() -> bool:
                feeds = client.get("/api/feeds").json()
                return all(f["articles_added"] > 0 and (f["last_success_at"] or "") > "" for f in feeds)

            assert wait_until(polled, timeout=60, interval=0.2), server.log.read_text()[-3000:]
            rounds_before = len(site.asked("/rss.xml"))
            time.sleep(4)  # more rounds, every second: conditional, nothing new
            feeds = {f["url"]: f for f in client.get("/api/feeds").json()}
            hits = client.get("/api/search", params={"q": "سد الفرات"}).json()
        assert len(site.asked("/rss.xml")) > rounds_before  # it goes on polling
        assert feeds[site.url("/rss.xml")]["articles_added"] == 4
        assert feeds[site.url("/atom.xml")]["articles_added"] == 1
        assert hits["total"] == 1
        pages = Counter(r.path for r in site.requests if r.path.startswith("/news/"))
        # two pollers would both have found the feeds due at start-up and fetched every page twice
        assert pages == {"/news/dam.html": 1, "/news/market.html": 1, "/news/school.html": 1}
        later = site.asked("/rss.xml")[1:]
        assert later and all("if-none-match" in r.headers for r in later)
        check = Archive(settings)
        try:
            with check.db.reading() as session:
                lease = session.get(FeedLease, 1)
                assert lease is not None and lease.holder
        finally:
            check.close()
    finally:
        server.stop()
