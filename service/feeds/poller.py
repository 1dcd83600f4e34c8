"""Polling: a round over the (due) feeds, and the server's background poller.

For each feed: a conditional GET; the items it lists that were not taken before (or whose listed
update date changed) each get their page fetched and its main text extracted by the HTML ingest path
(``parse_html``), with the feed's summary as the fallback when the page cannot be fetched, is
disallowed by robots.txt, or has no text. The articles go through the ingest pipeline (``ingest``):
the one write path, so the index follows as for any ingest, and an item seen again with a changed page
is an update of its article (same source and external id), not a new one. Only then are the items
recorded as taken and the feed's validators (ETag, Last-Modified) kept: a round cut short fetches the
same items again next time, and the store finds them unchanged.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.archive import Archive
from service.db.models import Feed, FeedItem, utcnow
from service.errors import ArshifError
from service.feeds.crawler import Crawler, Fetched, FetchError, host_of
from service.feeds.parse import FeedItem as ListedItem
from service.feeds.parse import NotAFeed, ParsedFeed, parse_feed
from service.feeds.store import due_feed_ids, release_lease, take_lease
from service.ingest.formats import ParsedArticle, RecordFailure
from service.ingest.formats.html_page import parse_html
from service.ingest.formats.text import guess_language
from service.ingest.pipeline import ingest
from service.settings import Settings

log = logging.getLogger("arshif.feeds")

DEFAULT_INTERVAL_S = 900
MAX_BACKOFF_S = 24 * 3600
MAX_NEW_ITEMS = 100  # pages fetched per feed per round; the rest are taken next round
MAX_CHILD_SITEMAPS = 10  # sitemaps read from one sitemap index
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


@dataclass
class PollReport:
    feed_id: int
    url: str
    status: str = "ok"  # "ok" | "not-modified" | "error"
    error: str | None = None
    listed: int = 0  # items the feed lists now
    new: int = 0  # items not taken before (or changed)
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    from_summary: int = 0  # stored from the feed's own summary (page disallowed, unreachable or empty)
    failed: int = 0
    item_errors: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def crawler_for(settings: Settings) -> Crawler:
    return Crawler(
        user_agent=settings.feed_user_agent,
        delay_s=settings.feed_delay,
        timeout_s=settings.feed_timeout,
        max_bytes=settings.feed_max_bytes,
    )


@dataclass
class _Subscription:
    id: int
    url: str
    source: str | None
    title: str | None
    interval_s: int
    hosts: list[str]
    etag: str | None
    last_modified: str | None
    failures: int
    kind: str | None


def poll_round(
    archive: Archive,
    feed_ids: list[int] | None = None,
    *,
    due_only: bool = False,
    keep_going: Callable[[], bool] = lambda: True,
) -> list[PollReport]:
    """Poll the given feeds (all, or only the due ones), one after the other, with one crawler (its
    robots.txt rules and per-host pauses hold for the whole round)."""
    settings = archive.settings
    if feed_ids is None:
        feed_ids = due_feed_ids(archive.db) if due_only else _all_ids(archive)
    reports = []
    with crawler_for(settings) as crawler:
        for feed_id in feed_ids:
            if not keep_going():
                break
            try:
                reports.append(poll_feed(archive, crawler, feed_id, keep_going=keep_going))
            except ArshifError:
                raise  # the store is busy or gone: the round cannot go on
            except Exception as exc:  # a bug met on one feed's content must not stop the others
                log.exception("feed poll crashed", extra={"fields": {"feed_id": feed_id}})
                reason = f"internal error while polling: {type(exc).__name__}: {str(exc)[:200]}"
                reports.append(PollReport(feed_id, "", status="error", error=reason))
    return reports


def _all_ids(archive: Archive) -> list[int]:
    with archive.db.reading() as session:
        return list(session.scalars(select(Feed.id).order_by(Feed.id)))


def _subscription(archive: Archive, feed_id: int) -> _Subscription | None:
    with archive.db.reading() as session:
        feed = session.get(Feed, feed_id)
        if feed is None:
            return None
        return _Subscription(
            id=feed.id,
            url=feed.url,
            source=feed.source,
            title=feed.title,
            interval_s=feed.interval_s or archive.settings.feed_interval or DEFAULT_INTERVAL_S,
            hosts=[host_of(feed.url), *feed.allow_hosts],
            etag=feed.etag,
            last_modified=feed.last_modified,
            failures=feed.failures,
            kind=feed.kind,
        )


def poll_feed(
    archive: Archive, crawler: Crawler, feed_id: int, *, keep_going: Callable[[], bool] = lambda: True
) -> PollReport:
    """One poll of one feed; every failure ends up in the report and in the feed's health.
    ``keep_going`` is asked before each page (the background poller renews its lease there); when it
    says no, the pages fetched so far are stored and the rest wait for the next round."""
    sub = _subscription(archive, feed_id)
    if sub is None:
        return PollReport(feed_id, "", status="error", error="no such feed / لا توجد خلاصة بهذا الرقم")
    report = PollReport(feed_id, sub.url)
    try:
        # a sitemap index is read whole each time: its sitemaps change without it changing
        conditional = sub.kind != "sitemap-index"
        fetched = crawler.fetch(
            sub.url,
            sub.hosts,
            etag=sub.etag if conditional else None,
            last_modified=sub.last_modified if conditional else None,
            accept=FEED_ACCEPT,
        )
        if fetched.status == 304:
            report.status = "not-modified"
            _record_success(archive, sub, report, fetched, None, [])
            return report
        parsed = parse_feed(fetched.body, fetched.content_type, fetched.url)
        items = list(_all_items(crawler, sub, parsed))
    except (FetchError, NotAFeed) as exc:
        return _record_failure(archive, sub, report, str(exc))
    report.listed = len(items)
    fresh = _fresh(archive, sub.id, items)
    report.new = len(fresh)
    complete = len(fresh) <= MAX_NEW_ITEMS  # the rest wait for the next round
    records: list[ParsedArticle | RecordFailure] = []
    taken: dict[str, tuple[ListedItem, str]] = {}  # origin -> item, how
    for index, item in enumerate(fresh[:MAX_NEW_ITEMS]):
        if not keep_going():
            complete = False
            break
        origin = f"{sub.url}#{index + 1}"
        record, how = _article(crawler, sub, parsed, item, origin)
        records.append(record)
        if isinstance(record, ParsedArticle):
            taken[origin] = (item, how)
            report.from_summary += how == "summary"
    if records:
        summary = ingest(archive, records, inputs=[sub.url])
        report.added, report.updated, report.unchanged = summary.added, summary.updated, summary.unchanged
        report.unchanged += summary.duplicates
        report.failed = summary.failed
        for failure in summary.failures:
            report.item_errors.append(failure)
            taken.pop(failure["origin"], None)
        complete = complete and not summary.failed
    # The feed's validators are kept only when every item it lists is taken: else the next poll would
    # be answered 304 and the items left over (or failed) would wait until the feed changes.
    _record_success(archive, sub, report, fetched, parsed, list(taken.values()), keep_validators=complete)
    return report


def _all_items(crawler: Crawler, sub: _Subscription, parsed: ParsedFeed) -> Iterator[ListedItem]:
    """The feed's items; for a sitemap index, the items of its sitemaps (on the subscription's hosts)."""
    yield from parsed.items
    for child in parsed.sitemaps[:MAX_CHILD_SITEMAPS]:
        try:
            fetched = crawler.fetch(child, sub.hosts, accept=FEED_ACCEPT)
            yield from parse_feed(fetched.body, fetched.content_type, fetched.url).items
        except (FetchError, NotAFeed) as exc:
            log.warning(
                "sitemap skipped", extra={"fields": {"feed": sub.url, "sitemap": child, "why": str(exc)}}
            )


def _fresh(archive: Archive, feed_id: int, items: list[ListedItem]) -> list[ListedItem]:
    """The items not taken before, or listed with another update date than when they were taken."""
    unique: dict[str, ListedItem] = {}
    for item in items:
        unique.setdefault(item.key, item)
    keys = list(unique)
    known: dict[str, str | None] = {}
    with archive.db.reading() as session:
        for start in range(0, len(keys), 500):
            rows = session.execute(
                select(FeedItem.key, FeedItem.marker).where(
                    FeedItem.feed_id == feed_id, FeedItem.key.in_(keys[start : start + 500])
                )
            )
            known.update({key: marker for key, marker in rows})
    return [item for key, item in unique.items() if key not in known or known[key] != item.marker]


def _article(
    crawler: Crawler, sub: _Subscription, parsed: ParsedFeed, item: ListedItem, origin: str
) -> tuple[ParsedArticle | RecordFailure, str]:
    """The item's article from its page, else from the feed's summary; ``how`` says which."""
    source = sub.source or item.source or sub.title or parsed.title
    feed_info = {"id": sub.id, "url": sub.url, "guid": item.key}
    why_not_page = "the item has no link"
    if item.link:
        try:
            page = crawler.fetch(item.link, sub.hosts, accept=PAGE_ACCEPT)
            result = _from_page(page, item, origin)
            if isinstance(result, ParsedArticle):
                result.source = source or result.source
                result.metadata["feed"] = feed_info | {"taken_from": "page"}
                return result, "page"
            why_not_page = result.reason
        except FetchError as exc:
            why_not_page = str(exc)
    if not item.summary:
        return RecordFailure(
            origin, f"{item.link or item.key}: {why_not_page}; the feed gives no summary"
        ), ""
    metadata: dict[str, Any] = {
        "feed": feed_info | {"taken_from": "summary", "why": why_not_page[:300]},
        "ingest": {"format": "feed-summary"},
    }
    if item.categories:
        metadata["categories"] = item.categories
    return (
        ParsedArticle(
            title=item.title,
            body=item.summary,
            url=item.link,
            external_id=item.key,
            source=source or (host_of(item.link) if item.link else None),
            author=item.author,
            section=item.categories[0] if item.categories else None,
            published_at=item.published,
            language=guess_language(item.summary),
            metadata=metadata,
            origin=origin,
        ),
        "summary",
    )


def _from_page(page: Fetched, item: ListedItem, origin: str) -> ParsedArticle | RecordFailure:
    result = parse_html(
        page.body,
        origin,
        declared_charset=page.charset,
        url=item.link,
        fallback_date=item.published,
        fallback_date_source="feed",
    )
    if isinstance(result, RecordFailure):
        return result
    # what the feed says of the item wins over what extraction guessed from the page
    result.url = item.link
    result.external_id = item.key
    result.title = item.title or result.title
    result.published_at = item.published or result.published_at
    result.author = item.author or result.author
    if item.categories:
        result.section = item.categories[0]
        result.metadata["categories"] = item.categories
    return result


def _next_poll(sub: _Subscription, failures: int, now: datetime) -> datetime:
    wait = sub.interval_s if failures == 0 else min(sub.interval_s * 2 ** min(failures, 10), MAX_BACKOFF_S)
    return now + timedelta(seconds=wait)


def _record_failure(archive: Archive, sub: _Subscription, report: PollReport, error: str) -> PollReport:
    report.status, report.error = "error", error
    now = utcnow()
    with archive.db.writing() as session:
        feed = session.get(Feed, sub.id)
        if feed is not None:
            feed.failures += 1
            feed.last_polled_at = now
            feed.last_error, feed.last_error_at = error[:2000], now
            feed.next_poll_at = _next_poll(sub, feed.failures, now)
    log.warning("feed poll failed", extra={"fields": {"feed": sub.url, "error": error}})
    return report


def _record_success(
    archive: Archive,
    sub: _Subscription,
    report: PollReport,
    fetched: Fetched,
    parsed: ParsedFeed | None,
    taken: list[tuple[ListedItem, str]],
    *,
    keep_validators: bool = True,
) -> None:
    now = utcnow()

    def work(session: Session) -> None:
        feed = session.get(Feed, sub.id)
        if feed is None:  # removed while it was polled: its articles stay, nothing else to note
            return
        known = {
            row.key: row
            for row in session.scalars(
                select(FeedItem).where(
                    FeedItem.feed_id == sub.id, FeedItem.key.in_([item.key for item, _ in taken])
                )
            )
        }
        for item, how in taken:
            row = known.get(item.key)
            if row is None:
                session.add(
                    FeedItem(feed_id=sub.id, key=item.key, url=item.link, marker=item.marker, how=how)
                )
                feed.items_seen += 1
            else:
                row.marker, row.how, row.url, row.seen_at = item.marker, how, item.link, now
        if parsed is not None:
            feed.kind = parsed.kind
            feed.title = parsed.title[:500] if parsed.title else feed.title
        if fetched.status == 200:  # a 304 keeps the validators it was asked with
            feed.etag = fetched.etag[:500] if fetched.etag and keep_validators else None
            feed.last_modified = (
                fetched.last_modified[:100] if fetched.last_modified and keep_validators else None
            )
        feed.articles_added += report.added
        feed.failures = 0
        feed.last_polled_at = feed.last_success_at = now
        feed.last_error = None
        feed.next_poll_at = _next_poll(sub, 0, now)

    # db.write: planned again if another poller (an API call beside the background one) won a race
    archive.db.write(work)


class BackgroundPoller:
    """The server's poller thread. Every worker starts one; when feeds are due, only the one that
    holds the lease (a row in the store, see ``store.take_lease``) polls, so one poller runs however
    many workers or nodes serve. The holder renews the lease before each feed and each page; if it
    dies, another takes over once the lease expires (``LEASE_S``)."""

    LEASE_S = 120.0
    CHECK_S = 15.0  # how often a worker asks for the lease, and the holder looks for due feeds

    def __init__(self, archive: Archive, check_s: float | None = None) -> None:
        self.archive = archive
        self.check_s = check_s if check_s is not None else min(self.CHECK_S, archive.settings.feed_interval)
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="arshif-feeds", daemon=True)
        self.polling = False  # whether this process holds the lease now

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        if self.polling:
            try:
                release_lease(self.archive.db, self.holder)
            except Exception:  # the lease simply expires then
                log.exception("could not release the feed poller lease")

    def _renew(self) -> bool:
        self.polling = take_lease(self.archive.db, self.holder, self.LEASE_S)
        return self.polling and not self._stop.is_set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                # a read first: with nothing due (or no feeds at all) no worker writes anything
                due = due_feed_ids(self.archive.db)
                if due and self._renew():
                    for report in poll_round(self.archive, due, keep_going=self._renew):
                        log.info("feed polled", extra={"fields": report.as_dict()})
            except Exception:  # a poll must never take the worker down; the next check tries again
                log.exception("feed polling failed")
            self._stop.wait(self.check_s)
