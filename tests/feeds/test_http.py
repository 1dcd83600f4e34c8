"""`/api/feeds`, the `/feeds` page and `/search.atom`, answered by the app in-process (ASGI)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest

from service.archive import Archive
from service.settings import Settings
from tests.conftest import InProcessApp, database_for, wait_until
from tests.feeds.conftest import Site
from tests.helpers import add_articles, when

KEY = {"Authorization": "Bearer feed-key"}


@pytest.fixture
def app(data_dir: Path) -> Iterator[InProcessApp]:
    served = InProcessApp(
        data_dir, ARSHIF_API_KEYS="feed-key", ARSHIF_FEED_INTERVAL="0", ARSHIF_FEED_DELAY="0"
    ).start()
    yield served
    served.stop()


def test_subscriptions_need_a_key_to_change_and_show_their_health(app: InProcessApp, site: Site) -> None:
    with app.client() as client:
        url = site.url("/rss.xml")
        assert client.post("/api/feeds", json={"url": url}).status_code == 401
        refused = client.post("/api/feeds", json={"url": "javascript:alert(1)"}, headers=KEY)
        assert refused.status_code == 400
        assert refused.json()["detail_ar"].startswith("عنوان الخلاصة")
        created = client.post("/api/feeds", json={"url": url, "source": "الوادي"}, headers=KEY)
        assert created.status_code == 201, created.text
        feed = created.json()
        assert client.post("/api/feeds", json={"url": url}, headers=KEY).status_code == 409
        broken = client.post("/api/feeds", json={"url": site.url("/not-a-feed.xml")}, headers=KEY).json()

        polled = client.post(f"/api/feeds/{feed['id']}/poll", headers=KEY)
        assert polled.status_code == 200, polled.text
        assert (polled.json()["status"], polled.json()["added"]) == ("ok", 4)
        failed = client.post(f"/api/feeds/{broken['id']}/poll", headers=KEY).json()
        assert failed["status"] == "error"

        listed = {f["id"]: f for f in client.get("/api/feeds").json()}  # reading needs no key
        assert listed[feed["id"]]["articles_added"] == 4 and listed[feed["id"]]["last_error"] is None
        assert listed[broken["id"]]["failures"] == 1

        page = client.get("/feeds")
        assert page.status_code == 200
        assert "الوادي" in page.text and "سليمة" in page.text
        assert "تعذّر الجلب (1 مرة متتالية)" in page.text and "not an RSS" in page.text

        assert client.delete(f"/api/feeds/{feed['id']}").status_code == 401
        assert client.delete(f"/api/feeds/{feed['id']}", headers=KEY).status_code == 204
        assert client.delete(f"/api/feeds/{feed['id']}", headers=KEY).status_code == 404
        assert client.post("/api/feeds/99/poll", headers=KEY).status_code == 404
        assert [f["id"] for f in client.get("/api/feeds").json()] == [broken["id"]]


def test_a_search_is_an_atom_feed_newest_first(app: InProcessApp) -> None:
    archive = Archive(Settings(data_dir=app.data_dir, database_url=database_for(app.data_dir)))
    try:
        add_articles(
            archive,
            {
                "title": "الفرات يفيض",
                "body": "فاض نهر الفرات قرب دير الزور.",
                "source": "الوادي",
                "published_at": when(1, 3),
                "url": "https://example.org/a",
            },
            {
                "title": "جسر على الفرات",
                "body": "افتتح جسر جديد على نهر الفرات.",
                "source": "الجسر",
                "published_at": when(20, 5),
            },
            {
                "title": "سد الفرات",
                "body": "مياه نهر الفرات خلف السد.",
                "source": "الوادي",
                "published_at": when(9, 1),
                "author": "سامر",
            },
            {
                "title": "أمطار",
                "body": "أمطار غزيرة في الحسكة.",
                "source": "الوادي",
                "published_at": when(2, 6),
            },
        )
    finally:
        archive.close()
    with app.client() as client:
        response = wait_until(lambda: _feed(client, "/search.atom?q=نهر الفرات"), timeout=10)
        assert response is not None
        raw, parsed = response
        assert raw.headers["content-type"].startswith("application/atom+xml")
        assert parsed.version == "atom10" and not parsed.bozo
        assert parsed.feed.id and parsed.feed.title and parsed.feed.updated
        assert "نهر الفرات" in parsed.feed.title
        titles = [e.title for e in parsed.entries]
        assert titles == ["جسر على الفرات", "الفرات يفيض", "سد الفرات"]  # newest first
        for entry in parsed.entries:
            assert entry.id and entry.title and entry.updated and entry.link
            assert entry.link.startswith("http://127.0.0.1/articles/")
        assert parsed.entries[0].updated.startswith("2018-05-20")
        assert parsed.feed.updated == parsed.entries[0].updated
        assert any(
            link.get("rel") == "related" and link.href == "https://example.org/a"
            for link in parsed.entries[1].links
        )

        # the page's own parameters narrow it, as on the page
        _, narrowed = _feed(client, "/search.atom?q=الفرات&source=الوادي&sort=relevance") or (None, None)
        assert [e.title for e in narrowed.entries] == ["الفرات يفيض", "سد الفرات"]
        assert client.get("/search.atom?q=الفرات&from=not-a-date").status_code == 400

        page = client.get("/", params={"q": "نهر الفرات"})
        assert '<link rel="alternate" type="application/atom+xml"' in page.text
        assert 'href="/search.atom?q=' in page.text


def _feed(client, url: str):
    raw = client.get(url)
    parsed = feedparser.parse(raw.content)
    return (raw, parsed) if raw.status_code == 200 and parsed.entries else None
