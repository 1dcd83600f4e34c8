"""The store of record. Everything else (the search index above all) is derived from these rows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

# Ids are 32-bit integers in every store (PostgreSQL's SERIAL); larger ids cannot exist.
MAX_ID = 2**31 - 1


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, hands back aware UTC: SQLite has no time zones, so we keep one convention."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON}  # noqa: RUF012 - read by SQLAlchemy's declarative base, never mutated


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    domain: Mapped[str | None] = mapped_column(String(255), index=True)

    articles: Mapped[list[Article]] = relationship(back_populates="source")


class SourceAlias(Base):
    """Another name an outlet goes by (سكاي نيوز عربية for Sky News Arabia, its domain): any of them
    finds the outlet's articles in a source filter (``service/sources.py``). ``key`` is the name as
    compared: the analyzer's normalized forms, casefolded."""

    __tablename__ = "source_aliases"
    __table_args__ = (UniqueConstraint("source_id", "key", name="uq_source_aliases_source_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "known" (the table in code) | "domain" | "user"


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (
        UniqueConstraint("source_id", "external_id", name="uq_articles_source_external_id"),
        UniqueConstraint("record_hash", name="uq_articles_record_hash"),
        Index("ix_articles_content_hash", "content_hash"),
        Index("ix_articles_external_id", "external_id"),  # GET /api/articles?external_id= without a source
        Index("ix_articles_published_at", "published_at"),
        Index("ix_articles_url", "url"),
        Index("ix_articles_cluster_id", "cluster_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="RESTRICT"))
    external_id: Mapped[str | None] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(String(2000))
    title: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(500))
    section: Mapped[str | None] = mapped_column(String(500))
    published_at: Mapped[datetime | None]
    language: Mapped[str | None] = mapped_column(String(16))
    # sha256 of the normalized body (fingerprint.content_hash). Not unique: two records with one body
    # and identities of their own (another outlet, id, URL or title) are two articles in one cluster.
    content_hash: Mapped[str] = mapped_column(String(64))
    # sha256 of the body and the identity (fingerprint.record_hash): the very same record is stored once.
    record_hash: Mapped[str] = mapped_column(String(64))
    # Near-duplicate cluster: the id of the cluster's first article (its own id when alone).
    cluster_id: Mapped[int | None] = mapped_column(Integer)
    ingested_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    extra: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)

    source: Mapped[Source | None] = relationship(back_populates="articles", lazy="joined")


class ArticleSignature(Base):
    """MinHash signature per article, kept so a candidate pair can be checked without re-reading bodies."""

    __tablename__ = "article_signatures"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    minhash: Mapped[bytes] = mapped_column(LargeBinary)


class ArticleBand(Base):
    """LSH buckets in SQLite: one row per (band hash, article), so near-duplicate look-ups are an index
    probe for any process, with nothing to load into memory at start-up."""

    __tablename__ = "article_bands"
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012 - SQLAlchemy declarative table options

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, autoincrement=False, index=True
    )


class Change(Base):
    """The outbox: every insert, update and delete gets a monotonically increasing sequence number.

    Each search index records the last sequence it applied; on start-up it applies what came after.
    """

    __tablename__ = "changes"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_id: Mapped[int] = mapped_column(Integer, index=True)
    op: Mapped[str] = mapped_column(String(8))  # "upsert" | "delete" | "synonyms" (article_id: the group)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class SynonymGroup(Base):
    """Terms and phrases that mean the same thing (قسد ⇄ قوات سوريا الديمقراطية); expanded at query time."""

    __tablename__ = "synonym_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    terms: Mapped[list[str]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class IngestRun(Base):
    __tablename__ = "ingest_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    added: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    duplicates: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    inputs: Mapped[list[str]] = mapped_column(JSON, default=list)


class Feed(Base):
    """A subscription: an RSS, Atom or sitemap URL polled for new articles (service/feeds)."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    source: Mapped[str | None] = mapped_column(String(200))  # the operator's name for the outlet
    title: Mapped[str | None] = mapped_column(String(500))  # the feed's own title, from the last poll
    kind: Mapped[str | None] = mapped_column(String(16))  # "rss" | "atom" | "sitemap", once polled
    interval_s: Mapped[int | None] = mapped_column(Integer)  # None: ARSHIF_FEED_INTERVAL
    allow_hosts: Mapped[list[str]] = mapped_column(JSON, default=list)  # other hosts its links may name
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_polled_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    failures: Mapped[int] = mapped_column(default=0)  # consecutive failed polls (back-off)
    next_poll_at: Mapped[datetime | None]
    items_seen: Mapped[int] = mapped_column(default=0)
    articles_added: Mapped[int] = mapped_column(default=0)


class FeedItem(Base):
    """An item a feed listed and the archive took in: seen again unchanged, it is not fetched again."""

    __tablename__ = "feed_items"
    __table_args__ = (UniqueConstraint("feed_id", "key", name="uq_feed_items_feed_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(500))  # the item's guid, else its link
    url: Mapped[str | None] = mapped_column(String(2000))
    marker: Mapped[str | None] = mapped_column(String(100))  # the item's updated/lastmod as listed
    how: Mapped[str] = mapped_column(String(16))  # "page" (fetched and extracted) | "summary"
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class FeedLease(Base):
    """One row: which process polls feeds now (one poller however many workers or nodes run)."""

    __tablename__ = "feed_lease"

    id: Mapped[int] = mapped_column(primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(200))
    expires_at: Mapped[datetime | None]


__all__ = [
    "MAX_ID",
    "Article",
    "ArticleBand",
    "ArticleSignature",
    "Base",
    "Change",
    "Feed",
    "FeedItem",
    "FeedLease",
    "IngestRun",
    "Source",
    "SourceAlias",
    "SynonymGroup",
    "utcnow",
]
