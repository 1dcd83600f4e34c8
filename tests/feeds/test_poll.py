"""Polling feeds into a real archive (on-disk store, real index) from a real local web site."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from pathlib import Path

import pytest
from sqlalchemy import func, select

from service.archive import Archive
from service.db import Article
from service.feeds.poller import poll_round
from service.feeds.store import add_feed, get_feed, list_feeds, remove_feed
from service.search.engine import SearchService
from service.search.request import make_request
from service.settings import Settings
from tests.conftest import SEEDS, database_for, needs_shared
from tests.feeds.conftest import Site


@pytest.fixture
def archive(data_dir: Path):
    settings = Settings(
        data_dir=data_dir, database_url=database_for(data_dir), feed_delay=0, feed_timeout=1.0
    )
    archive = Archive(settings)
    archive.upgrade()
    yield archive
    archive.close()


def articles(archive: Archive) -> dict[str, Article]:
    """Stored articles by external id."""
    with archive.db.reading() as session:
        return {a.external_id: a for a in session.scalars(select(Article))}


def count(archive: Archive) -> int:
    with archive.db.reading() as session:
        return session.scalar(select(func.count(Article.id))) or 0


def test_an_rss_feed_is_archived_page_by_page_with_its_dates_and_source(archive: Archive, site: Site) -> None:
    feed = add_feed(archive.db, site.url("/rss.xml"))
    [report] = poll_round(archive)
    assert report.status == "ok", report
    assert (report.listed, report.new, report.added, report.failed) == (4, 4, 4, 0)
    assert report.from_summary == 2  # the page robots.txt disallows, the link to another host

    stored = articles(archive)
    dam = stored["wadi-1001"]
    assert dam.url == site.url("/news/dam.html")
    assert dam.source is not None and dam.source.name == "صحيفة الوادي — آخر الأخبار"  # the feed's title
    assert dam.published_at == datetime(2026, 11, 2, 6, 30, tzinfo=UTC)
    assert dam.author == "سامر الأحمد"
    assert dam.section == "اقتصاد"
    assert dam.extra["categories"] == ["اقتصاد", "زراعة"]
    assert "عشرين ألف هكتار" in dam.body  # the page's text, not the feed's one-line description
    assert "جميع الحقوق محفوظة" not in dam.body
    assert dam.extra["feed"]["taken_from"] == "page"

    market = stored["wadi-1002"]  # a windows-1256 page
    assert "انخفضت أسعار الخضار في سوق مدينة الميادين" in market.body
    assert market.extra["ingest"]["encoding"] in ("cp1256", "windows-1256")

    secret = stored["wadi-1003"]  # disallowed by robots.txt: the feed's summary, the page never asked
    assert secret.body.startswith("عقد مجلس المحافظة اجتماعًا مغلقًا")
    assert secret.extra["feed"]["taken_from"] == "summary"
    assert "robots.txt" in secret.extra["feed"]["why"]
    assert "/private/secret.html" not in site.paths()

    books = stored["wadi-1004"]  # a link to a host the subscription does not name: not fetched
    assert books.extra["feed"]["taken_from"] == "summary"
    assert {r.headers["host"] for r in site.requests} == {f"127.0.0.1:{site.port}"}

    assert len(site.asked("/robots.txt")) == 1
    assert all(r.headers["user-agent"].startswith("ArshifBot/") for r in site.requests)
    assert sorted(site.paths()) == sorted(["/robots.txt", "/rss.xml", "/news/dam.html", "/news/market.html"])

    health = get_feed(archive.db, feed.id)
    assert (health.items_seen, health.articles_added, health.kind) == (4, 4, "rss")
    assert health.last_error is None and health.last_success_at is not None

    # the index followed the store: the pipeline's one write path
    found = SearchService(archive).search(make_request("سد الفرات"))
    assert [h.external_id for h in found.hits] == ["wadi-1001"]


def test_a_second_poll_asks_conditionally_and_adds_nothing(archive: Archive, site: Site) -> None:
    add_feed(archive.db, site.url("/rss.xml"))
    poll_round(archive)
    first = len(site.requests)
    [again] = poll_round(archive)
    assert again.status == "not-modified"
    assert (again.new, again.added) == (0, 0)
    later = site.requests[first:]
    assert [r.path for r in later] == ["/robots.txt", "/rss.xml"]  # a new round reads robots.txt anew
    assert later[1].headers["if-none-match"].startswith('"')
    assert later[1].headers["if-modified-since"] == "Mon, 02 Nov 2026 06:30:00 GMT"
    assert count(archive) == 4


def test_a_feed_repeating_old_items_fetches_and_adds_nothing(archive: Archive, site: Site) -> None:
    add_feed(archive.db, site.url("/rss.xml"))
    poll_round(archive)
    original, _ = site.content("/rss.xml")
    assert original is not None
    site.pages["/rss.xml"] = original + b"\n<!-- rebuilt -->\n"  # another ETag, the same items
    first = len(site.requests)
    [again] = poll_round(archive)
    assert (again.status, again.listed, again.new, again.added) == ("ok", 4, 0, 0)
    assert [r.path for r in site.requests[first:]] == ["/robots.txt", "/rss.xml"]
    assert count(archive) == 4


def test_an_item_whose_page_changed_is_an_update_not_a_new_article(archive: Archive, site: Site) -> None:
    add_feed(archive.db, site.url("/atom.xml"), source="نشرة البوكمال المحلية")
    [first] = poll_round(archive)
    assert (first.added, first.updated) == (1, 0)
    [school] = articles(archive).values()
    assert school.source is not None and school.source.name == "نشرة البوكمال المحلية"
    assert school.author == "ليلى حسن" and school.section == "تعليم"
    assert school.url == site.url("/news/school.html")  # a relative link, resolved against the feed
    assert school.published_at == datetime(2026, 11, 6, 7, tzinfo=UTC)

    page, _ = site.content("/news/school.html")
    assert page is not None
    site.pages["/news/school.html"] = page.replace(
        "ألفي طالب وطالبة".encode(), "ألفين وثلاثمئة طالب وطالبة".encode()
    )
    site.values["school_updated"] = "2026-11-07T09:00:00Z"
    [second] = poll_round(archive)
    assert (second.new, second.added, second.updated) == (1, 0, 1)
    [updated] = articles(archive).values()
    assert updated.id == school.id
    assert "ألفين وثلاثمئة طالب وطالبة" in updated.body


def test_a_news_sitemap_gives_titles_dates_and_the_publication(archive: Archive, site: Site) -> None:
    add_feed(archive.db, site.url("/news-sitemap.xml"))
    [report] = poll_round(archive)
    assert (report.status, report.added) == ("ok", 1)
    [rain] = articles(archive).values()
    assert rain.external_id == rain.url == site.url("/news/rain.html")
    assert rain.title == "أمطار غزيرة تغمر طرقًا في ريف الحسكة"
    assert rain.source is not None and rain.source.name == "شبكة الجزيرة السورية"
    assert rain.published_at == datetime(2026, 11, 7, 5, 45, tzinfo=UTC)
    assert rain.section == "طقس"
    assert get_feed(archive.db, report.feed_id).kind == "sitemap"


def test_a_sitemap_index_is_followed_and_a_disallowed_page_fails_alone(archive: Archive, site: Site) -> None:
    add_feed(archive.db, site.url("/sitemap-index.xml"), source="صحيفة الوادي")
    [report] = poll_round(archive)
    assert (report.status, report.listed, report.added, report.failed) == ("ok", 2, 1, 1)
    [failure] = report.item_errors
    assert "robots.txt" in failure["reason"] and "no summary" in failure["reason"]
    assert "/private/secret.html" not in site.paths()
    assert "/sitemap-pages.xml" in site.paths()
    [dam] = articles(archive).values()
    assert dam.source is not None and dam.source.name == "صحيفة الوادي"
    # the stored item is marked as taken, the failed one is not: when the sitemap changes, only the
    # failed one is tried again (and robots.txt still keeps it from being asked)
    pages, _ = site.content("/sitemap-pages.xml")
    assert pages is not None
    site.pages["/sitemap-pages.xml"] = pages + b"\n"
    first = len(site.requests)
    [again] = poll_round(archive)
    assert (again.status, again.new, again.added, again.failed) == ("ok", 1, 0, 1)
    asked = [r.path for r in site.requests[first:]]
    assert asked == ["/robots.txt", "/sitemap-index.xml", "/sitemap-pages.xml"]


def test_a_document_that_is_not_a_feed_is_a_clear_error_that_backs_off(archive: Archive, site: Site) -> None:
    feed = add_feed(archive.db, site.url("/not-a-feed.xml"))
    [report] = poll_round(archive)
    assert report.status == "error"
    assert report.error is not None and "not an RSS, Atom or sitemap document" in report.error
    health = get_feed(archive.db, feed.id)
    assert health.failures == 1 and health.last_error == report.error
    assert health.next_poll_at is not None and health.last_error_at is not None
    first_wait = health.next_poll_at - health.last_error_at
    poll_round(archive)
    health = get_feed(archive.db, feed.id)
    assert health.failures == 2
    assert health.next_poll_at is not None and health.last_error_at is not None
    assert health.next_poll_at - health.last_error_at == 2 * first_wait  # exponential back-off
    assert count(archive) == 0


def test_a_missing_feed_and_a_host_that_times_out_are_errors_of_their_own_feed(
    archive: Archive, site: Site, slow_site: Site
) -> None:
    gone = add_feed(archive.db, site.url("/gone.xml"))
    slow = add_feed(archive.db, slow_site.url("/rss.xml"))
    good = add_feed(archive.db, site.url("/atom.xml"))
    reports = {r.feed_id: r for r in poll_round(archive)}
    assert reports[gone.id].error is not None and "HTTP 404" in reports[gone.id].error
    assert reports[slow.id].error is not None and "no answer" in reports[slow.id].error
    assert reports[good.id].status == "ok" and reports[good.id].added == 1
    assert count(archive) == 1
    errors = {f.id: f.last_error for f in list_feeds(archive.db)}
    assert errors[good.id] is None and errors[gone.id] and errors[slow.id]


def test_removing_a_feed_keeps_its_articles(archive: Archive, site: Site) -> None:
    feed = add_feed(archive.db, site.url("/atom.xml"))
    poll_round(archive)
    remove_feed(archive.db, feed.id)
    assert list_feeds(archive.db) == []
    assert count(archive) == 1


def test_limits_redirects_and_other_hosts(data_dir: Path, site: Site) -> None:
    settings = Settings(
        data_dir=data_dir, database_url=database_for(data_dir), feed_delay=0, feed_max_bytes=1024
    )
    archive = Archive(settings)
    archive.upgrade()
    try:
        add_feed(archive.db, site.url("/atom.xml"))  # its page is larger than the limit
        site.redirects["/loop.xml"] = "/loop.xml"
        loop = add_feed(archive.db, site.url("/loop.xml"))
        reports = {r.feed_id: r for r in poll_round(archive)}
        assert reports[loop.id].error is not None and "more than 5 redirects" in reports[loop.id].error
        assert len(site.asked("/loop.xml")) == 6
        [school] = articles(archive).values()
        assert school.body == "عاد ألفا طالب إلى مدارس البوكمال."  # the feed's summary
        assert "larger than 1,024 bytes" in school.extra["feed"]["why"]
    finally:
        archive.close()


def test_a_redirect_to_another_host_is_not_followed(archive: Archive, site: Site) -> None:
    site.redirects["/news/dam.html"] = "{other}/news/dam.html"
    add_feed(archive.db, site.url("/rss.xml"))
    [report] = poll_round(archive)
    assert report.from_summary == 3
    dam = articles(archive)["wadi-1001"]
    assert dam.body == "افتتحت السلطات سدًّا جديدًا على الفرات."
    assert "host localhost is not the subscription's" in dam.extra["feed"]["why"]
    assert {r.headers["host"] for r in site.requests} == {f"127.0.0.1:{site.port}"}


def test_requests_to_one_host_are_spaced_by_the_delay(data_dir: Path, site: Site) -> None:
    settings = Settings(data_dir=data_dir, database_url=database_for(data_dir), feed_delay=0.4)
    archive = Archive(settings)
    archive.upgrade()
    try:
        add_feed(archive.db, site.url("/atom.xml"))
        add_feed(archive.db, site.url("/news-sitemap.xml"))
        poll_round(archive)
    finally:
        archive.close()
    assert [r.path for r in site.requests] == [
        "/robots.txt",
        "/atom.xml",
        "/news/school.html",
        "/news-sitemap.xml",
        "/news/rain.html",
    ]  # robots.txt once for the round, then one request after the other
    gaps = [b.at - a.at for a, b in zip(site.requests, site.requests[1:])]
    assert min(gaps) >= 0.38, gaps


def test_items_left_over_by_a_round_are_taken_by_the_next_one(
    archive: Archive, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.feeds import poller

    monkeypatch.setattr(poller, "MAX_NEW_ITEMS", 2)
    add_feed(archive.db, site.url("/rss.xml"))
    [first] = poll_round(archive)
    assert (first.new, first.added) == (4, 2)
    [second] = poll_round(archive)  # not conditional: the feed was not taken whole
    assert (second.status, second.new, second.added) == ("ok", 2, 2)
    assert "if-none-match" not in site.asked("/rss.xml")[1].headers
    [third] = poll_round(archive)
    assert third.status == "not-modified"
    assert count(archive) == 4


def test_a_crawl_delay_in_robots_txt_is_honoured(archive: Archive, site: Site) -> None:
    robots, _ = site.content("/robots.txt")
    assert robots is not None
    site.pages["/robots.txt"] = robots + b"Crawl-delay: 1\n"
    add_feed(archive.db, site.url("/atom.xml"))
    poll_round(archive)  # ARSHIF_FEED_DELAY is 0 here: the site's own delay applies
    assert [r.path for r in site.requests] == ["/robots.txt", "/atom.xml", "/news/school.html"]
    gaps = [b.at - a.at for a, b in zip(site.requests, site.requests[1:])]
    assert min(gaps) >= 0.98, gaps


@needs_shared(SEEDS)
def test_a_real_article_on_a_windows_1256_page(archive: Archive, site: Site) -> None:
    """One of the shared seed articles (read at test time, never kept here) as an old Arabic site would
    serve it: a windows-1256 page, announced by an RSS item."""
    seed = min(SEEDS.glob("*.txt"))
    lines = [line.strip() for line in seed.read_text(encoding="utf-8").splitlines() if line.strip()]
    title, paragraphs = lines[1], [line for line in lines[2:] if len(line) > 80][:4]
    page = (
        '<html lang="ar" dir="rtl"><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
        f"<title>{escape(title)}</title></head><body><article><h1>{escape(title)}</h1>"
        + "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        + "</article></body></html>"
    )
    site.pages["/news/seed.html"] = page.encode("cp1256", errors="xmlcharrefreplace")
    site.types["/news/seed.html"] = "text/html"  # the charset only in the page itself
    site.pages["/seed.xml"] = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>بلدي</title>'
        f"<item><title>{escape(title)}</title><link>{site.url('/news/seed.html')}</link>"
        "<guid>seed-1</guid><pubDate>Thu, 15 Feb 2018 10:00:00 GMT</pubDate></item></channel></rss>"
    ).encode()
    add_feed(archive.db, site.url("/seed.xml"))
    [report] = poll_round(archive)
    assert (report.status, report.added, report.from_summary) == ("ok", 1, 0), report
    [stored] = articles(archive).values()
    assert stored.title == title
    assert stored.extra["ingest"]["encoding"] in ("cp1256", "windows-1256")
    for paragraph in paragraphs:
        assert " ".join(paragraph.split()) in stored.body
    assert stored.published_at == datetime(2018, 2, 15, 10, tzinfo=UTC)


def test_only_due_feeds_are_polled_and_each_keeps_its_own_interval(archive: Archive, site: Site) -> None:
    hourly = add_feed(archive.db, site.url("/atom.xml"), interval_s=3600)
    default = add_feed(archive.db, site.url("/news-sitemap.xml"))
    assert {r.feed_id for r in poll_round(archive, due_only=True)} == {hourly.id, default.id}
    assert poll_round(archive, due_only=True) == []  # nothing is due right after a round
    waits = {}
    for feed in list_feeds(archive.db):
        assert feed.next_poll_at is not None and feed.last_polled_at is not None
        waits[feed.id] = (feed.next_poll_at - feed.last_polled_at).total_seconds()
    assert waits == {hourly.id: 3600, default.id: 900}  # ARSHIF_FEED_INTERVAL's default
