"""Subscriptions, the items taken from them, and the poller lease (tables of migration 0004)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from service.db import Database
from service.db.models import Feed, FeedLease, utcnow
from service.errors import ArshifError, NotFound

MAX_URL_CHARS = 2_000
MAX_SOURCE_CHARS = 200
MIN_INTERVAL_S = 60
MAX_INTERVAL_S = 7 * 24 * 3600
MAX_ALLOWED_HOSTS = 20
LEASE_ID = 1


class InvalidFeed(ArshifError):
    type = "invalid-feed"


@dataclass
class FeedStatus:
    """A subscription and its health, as the CLI, the API and the page show it."""

    id: int
    url: str
    source: str | None
    title: str | None
    kind: str | None
    interval_s: int | None
    allow_hosts: list[str]
    created_at: datetime
    last_polled_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    failures: int
    next_poll_at: datetime | None
    items_seen: int
    articles_added: int

    @classmethod
    def of(cls, feed: Feed) -> FeedStatus:
        return cls(**{name: getattr(feed, name) for name in cls.__dataclass_fields__})

    @property
    def healthy(self) -> bool:
        return self.last_error is None


def clean_url(url: str) -> str:
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        usable = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        usable = False
    if not usable:
        raise InvalidFeed(
            "عنوان الخلاصة يجب أن يبدأ بـ http:// أو https://", "the feed URL must be an http(s) URL"
        )
    if len(url) > MAX_URL_CHARS:
        raise InvalidFeed("عنوان الخلاصة أطول من المسموح", f"the feed URL is longer than {MAX_URL_CHARS}")
    return url


def clean_hosts(hosts: list[str] | None) -> list[str]:
    cleaned: list[str] = []
    for raw in hosts or []:
        host = (raw or "").strip().lower()
        if not host or "/" in host or ":" in host or " " in host or len(host) > 255:
            raise InvalidFeed(f"اسم مضيف غير صالح: {raw!r}", f"not a host name: {raw!r}")
        if host not in cleaned:
            cleaned.append(host)
    if len(cleaned) > MAX_ALLOWED_HOSTS:
        raise InvalidFeed(
            f"{MAX_ALLOWED_HOSTS} مضيفًا على الأكثر", f"at most {MAX_ALLOWED_HOSTS} allowed hosts"
        )
    return cleaned


def add_feed(
    db: Database,
    url: str,
    *,
    source: str | None = None,
    interval_s: int | None = None,
    allow_hosts: list[str] | None = None,
) -> FeedStatus:
    url = clean_url(url)
    source = " ".join((source or "").split()) or None
    if source and len(source) > MAX_SOURCE_CHARS:
        raise InvalidFeed("اسم المصدر أطول من المسموح", f"the source name is longer than {MAX_SOURCE_CHARS}")
    if interval_s is not None and not MIN_INTERVAL_S <= interval_s <= MAX_INTERVAL_S:
        raise InvalidFeed(
            f"الفاصل بين جلبين بين {MIN_INTERVAL_S} و{MAX_INTERVAL_S} ثانية",
            f"the interval must be {MIN_INTERVAL_S} to {MAX_INTERVAL_S} seconds",
        )
    hosts = clean_hosts(allow_hosts)
    with db.writing() as session:
        if session.scalar(select(Feed.id).where(Feed.url == url)) is not None:
            raise InvalidFeed("هذه الخلاصة مشترك فيها من قبل", "this feed is already subscribed", status=409)
        feed = Feed(
            url=url,
            source=source,
            interval_s=interval_s,
            allow_hosts=hosts,
            failures=0,
            items_seen=0,
            articles_added=0,
            created_at=utcnow(),
        )
        session.add(feed)
        session.flush()
        return FeedStatus.of(feed)


def list_feeds(db: Database) -> list[FeedStatus]:
    with db.reading() as session:
        return [FeedStatus.of(f) for f in session.scalars(select(Feed).order_by(Feed.id))]


def get_feed(db: Database, feed_id: int) -> FeedStatus:
    with db.reading() as session:
        feed = session.get(Feed, feed_id)
        if feed is None:
            raise _missing(feed_id)
        return FeedStatus.of(feed)


def remove_feed(db: Database, feed_id: int) -> None:
    """The subscription and its item list go (ON DELETE CASCADE); the articles it brought stay."""
    with db.writing() as session:
        if session.execute(delete(Feed).where(Feed.id == feed_id)).rowcount == 0:  # type: ignore[attr-defined]
            raise _missing(feed_id)


def _missing(feed_id: int) -> NotFound:
    return NotFound(f"لا توجد خلاصة رقمها {feed_id}", f"no feed with id {feed_id}")


def due_feed_ids(db: Database, now: datetime | None = None) -> list[int]:
    now = now or utcnow()
    with db.reading() as session:
        return list(
            session.scalars(
                select(Feed.id)
                .where(or_(Feed.next_poll_at.is_(None), Feed.next_poll_at <= now))
                .order_by(Feed.next_poll_at.is_not(None), Feed.next_poll_at, Feed.id)
            )
        )


def take_lease(db: Database, holder: str, ttl_s: float) -> bool:
    """Whether ``holder`` polls now: it takes (or renews) the one lease if it is free or expired.
    One conditional UPDATE, so two processes asking at once cannot both win; the row is made by the
    first process that asks (two making it at once: the unique id lets one win)."""
    now = utcnow()
    expires = now + timedelta(seconds=ttl_s)
    try:
        with db.writing() as session:
            taken = session.execute(
                update(FeedLease)
                .where(FeedLease.id == LEASE_ID)
                .where(
                    or_(
                        FeedLease.holder == holder,
                        FeedLease.expires_at.is_(None),
                        FeedLease.expires_at < now,
                    )
                )
                .values(holder=holder, expires_at=expires)
            )
            if taken.rowcount:  # type: ignore[attr-defined]
                return True
            if session.get(FeedLease, LEASE_ID) is not None:
                return False  # held by another process
            session.add(FeedLease(id=LEASE_ID, holder=holder, expires_at=expires))
        return True
    except IntegrityError:
        return False


def release_lease(db: Database, holder: str) -> None:
    with db.writing() as session:
        session.execute(
            update(FeedLease)
            .where(FeedLease.id == LEASE_ID, FeedLease.holder == holder)
            .values(holder=None, expires_at=None)
        )


def lease_holder(db: Database) -> str | None:
    with db.reading() as session:
        row = session.get(FeedLease, LEASE_ID)
        if row is None or row.expires_at is None or row.expires_at < utcnow():
            return None
        return row.holder
