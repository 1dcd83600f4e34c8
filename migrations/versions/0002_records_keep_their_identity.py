"""records keep their own identity: identical bodies are no longer folded into one article

Until now an article whose body was identical to a stored one was not stored: its source, URL and
external id were noted in the first article's metadata (``identical_copies``) and it could not be
fetched, exported or counted. From this revision such a record is an article of its own, in its twin's
cluster (``service/ingest/store.py``), so:

- ``articles.content_hash`` is no longer unique (it keeps a plain index, for the writer's look-ups);
- ``articles.record_hash`` (``fingerprint.record_hash``: body, source, external id, URL, title) is
  unique instead: the very same record is still stored once, even by two writers at once;
- ``articles.external_id`` gets an index of its own, for ``GET /api/articles?external_id=`` without a
  source (the unique (source_id, external_id) index leads with the source);
- every copy noted in ``identical_copies`` is restored as its own article: the twin's body, the
  copy's own source, URL and external id (all the old writer recorded). Title, author, section and
  language are the twin's (they describe the text, which is the same); published_at stays empty (when
  the copy appeared was never recorded, and the twin's date could be another day). The restored row's
  metadata says so: ``{"restored_copy": {"of": <twin id>, "inherited": [...]}}``; re-ingesting the
  original record later finds the row by its own id or URL and fills in the real values. The row takes
  the twin's cluster and MinHash signature (same body, same signature), and is logged in the change
  log, so every index adds it. The key is then removed from the twin's metadata.

A copy is not restored when its identity already belongs to an article (the writer would have routed
it there: the same source and external id, or, for a copy without an id, the same URL), or when it is
the twin itself or a copy already restored (``store.same_record``). A value under ``identical_copies``
not in the old writer's shape (a list of objects of source/url/external_id text) is someone's metadata
and is left alone.

Downgrade folds articles with one body back into the oldest of them, noting the others' source, URL
and external id in ``identical_copies`` as the old writer did; what else they held is lost, as the old
schema cannot keep it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from service.db.outbox import record_changes
from service.ingest.fingerprint import record_hash
from service.ingest.store import same_record

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
COPIES_KEY = "identical_copies"
COPY_FIELDS = ("source", "url", "external_id")
INHERITED = ("title", "author", "section", "language")
CHUNK = 500
# What SQLite calls the unnamed UNIQUE(content_hash) of revision 0001 when a batch rebuild reflects it.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}

articles = sa.table(
    "articles",
    sa.column("id", sa.Integer), sa.column("source_id", sa.Integer), sa.column("external_id", sa.String),
    sa.column("url", sa.String), sa.column("title", sa.Text), sa.column("body", sa.Text),
    sa.column("author", sa.String), sa.column("section", sa.String), sa.column("published_at", sa.DateTime),
    sa.column("language", sa.String), sa.column("content_hash", sa.String), sa.column("record_hash", sa.String),
    sa.column("cluster_id", sa.Integer), sa.column("ingested_at", sa.DateTime), sa.column("updated_at", sa.DateTime),
    sa.column("metadata", sa.JSON),
)
sources = sa.table("sources", sa.column("id", sa.Integer), sa.column("name", sa.String))
signatures = sa.table("article_signatures", sa.column("article_id", sa.Integer), sa.column("minhash", sa.LargeBinary))
bands = sa.table("article_bands", sa.column("key", sa.BigInteger), sa.column("article_id", sa.Integer))


def _now() -> datetime:
    """Naive UTC, the store's convention for its DateTime columns (models.UTCDateTime)."""
    return datetime.now(UTC).replace(tzinfo=None)


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("record_hash", sa.String(length=64), nullable=True))
    _fill_record_hashes(bind)
    with op.batch_alter_table("articles", naming_convention=NAMING) as batch:
        batch.drop_constraint(_content_hash_unique(bind), type_="unique")
        batch.alter_column("record_hash", existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint("uq_articles_record_hash", ["record_hash"])
        batch.create_index("ix_articles_content_hash", ["content_hash"], unique=False)
        batch.create_index("ix_articles_external_id", ["external_id"], unique=False)
    _restore_identical_copies(bind)


def downgrade() -> None:
    bind = op.get_bind()
    _fold_identical_bodies(bind)
    with op.batch_alter_table("articles") as batch:
        batch.drop_index("ix_articles_external_id")
        batch.drop_index("ix_articles_content_hash")
        batch.drop_constraint("uq_articles_record_hash", type_="unique")
        batch.drop_column("record_hash")
        batch.create_unique_constraint("uq_articles_content_hash", ["content_hash"])


# -- upgrade -------------------------------------------------------------------------------------


def _content_hash_unique(bind: sa.Connection) -> str:
    """The name of revision 0001's UNIQUE(content_hash): PostgreSQL named it, SQLite did not."""
    for constraint in sa.inspect(bind).get_unique_constraints("articles"):
        if constraint["column_names"] == ["content_hash"]:
            return constraint["name"] or "uq_articles_content_hash"
    raise RuntimeError("articles has no unique constraint on content_hash; is it at revision 0001?")


def _fill_record_hashes(bind: sa.Connection) -> None:
    columns = (articles.c.id, articles.c.content_hash, articles.c.source_id, articles.c.external_id,
               articles.c.url, articles.c.title)
    rows = bind.execute(sa.select(*columns).order_by(articles.c.id)).all()
    stamp = sa.update(articles).where(articles.c.id == sa.bindparam("row_id")).values(record_hash=sa.bindparam("hash"))
    for start in range(0, len(rows), CHUNK):
        bind.execute(stamp, [{"row_id": row.id, "hash": record_hash(*row[1:])} for row in rows[start : start + CHUNK]])


def _noted_copies(metadata: Any) -> list[dict[str, str]] | None:
    """The copies the old writer noted, or None if the value is not in its shape (then it is not ours)."""
    copies = metadata.get(COPIES_KEY) if isinstance(metadata, dict) else None
    if not isinstance(copies, list) or not copies:
        return None
    for copy in copies:
        if not isinstance(copy, dict) or not copy or not set(copy) <= set(COPY_FIELDS):
            return None
        if not all(isinstance(value, str) and value for value in copy.values()):
            return None
    return copies


def _restore_identical_copies(bind: sa.Connection) -> None:
    noted = sa.cast(articles.c.metadata, sa.Text).like(f"%{COPIES_KEY}%")
    twins = bind.execute(sa.select(articles).where(noted).order_by(articles.c.id)).all()
    source_ids: dict[str, int] = {}
    restored: list[int] = []
    for twin in twins:
        copies = _noted_copies(twin.metadata)
        if copies is None:
            continue
        kept = [{"source_id": twin.source_id, "external_id": twin.external_id, "url": twin.url, "title": twin.title}]
        for copy in copies:
            identity = {
                "source_id": _source_id(bind, copy.get("source"), source_ids), "external_id": copy.get("external_id"),
                "url": copy.get("url"), "title": twin.title,
            }
            if any(same_record(identity, other) for other in kept) or _identity_taken(bind, identity):
                continue
            restored.append(_insert_copy(bind, twin, identity))
            kept.append(identity)
        metadata = {k: v for k, v in twin.metadata.items() if k != COPIES_KEY}
        bind.execute(sa.update(articles).where(articles.c.id == twin.id).values(metadata=metadata, updated_at=_now()))
    record_changes(bind, restored)
    if restored:
        log.info("restored %d identical copies as articles of their own", len(restored))


def _source_id(bind: sa.Connection, name: str | None, known: dict[str, int]) -> int | None:
    """The source's id, as ``ArticleWriter.source_id`` finds or makes it (names with spaces tidied)."""
    if not name or not name.strip():
        return None
    name = " ".join(name.split())[:200]
    if name not in known:
        found = bind.scalar(sa.select(sources.c.id).where(sources.c.name == name))
        if found is None:
            found = bind.execute(sa.insert(sources).values(name=name).returning(sources.c.id)).scalar_one()
        known[name] = found
    return known[name]


def _identity_taken(bind: sa.Connection, identity: dict[str, Any]) -> bool:
    """Whether an article already holds this identity: the writer would update it, not add a copy."""
    if identity["external_id"]:
        source = articles.c.source_id.is_(None) if identity["source_id"] is None else articles.c.source_id == identity["source_id"]
        where = sa.and_(source, articles.c.external_id == identity["external_id"])
    elif identity["url"]:
        where = articles.c.url == identity["url"]
    else:
        return False
    return bind.scalar(sa.select(articles.c.id).where(where).limit(1)) is not None


def _insert_copy(bind: sa.Connection, twin: sa.Row, identity: dict[str, Any]) -> int:
    now = _now()
    values = {
        **{name: getattr(twin, name) for name in ("body", "content_hash", *INHERITED)},
        "source_id": identity["source_id"], "external_id": identity["external_id"], "url": identity["url"],
        "published_at": None,
        "record_hash": record_hash(twin.content_hash, identity["source_id"], identity["external_id"], identity["url"], twin.title),
        "cluster_id": twin.cluster_id or twin.id, "ingested_at": now, "updated_at": now,
        "metadata": {"restored_copy": {"of": twin.id, "inherited": list(INHERITED)}},
    }
    new_id = bind.execute(sa.insert(articles).values(**values).returning(articles.c.id)).scalar_one()
    bind.execute(sa.insert(signatures).from_select(
        ["article_id", "minhash"], sa.select(sa.literal(new_id), signatures.c.minhash).where(signatures.c.article_id == twin.id)))
    bind.execute(sa.insert(bands).from_select(
        ["key", "article_id"], sa.select(bands.c.key, sa.literal(new_id)).where(bands.c.article_id == twin.id)))
    return new_id


# -- downgrade -----------------------------------------------------------------------------------


def _fold_identical_bodies(bind: sa.Connection) -> None:
    shared = sa.select(articles.c.content_hash).group_by(articles.c.content_hash).having(sa.func.count() > 1)
    rows = bind.execute(
        sa.select(articles.c.id, articles.c.content_hash, articles.c.cluster_id, articles.c.metadata, articles.c.url,
                  articles.c.external_id, sources.c.name.label("source"))
        .outerjoin(sources, sources.c.id == articles.c.source_id)
        .where(articles.c.content_hash.in_(shared)).order_by(articles.c.id)
    ).all()
    keepers: dict[str, sa.Row] = {}
    noted: dict[int, list[dict[str, str]]] = {}
    folded: list[int] = []
    for row in rows:
        keep = keepers.setdefault(row.content_hash, row)
        if keep is row:
            continue
        copy = {name: getattr(row, name) for name in COPY_FIELDS if getattr(row, name)}
        own = {name: getattr(keep, name) for name in COPY_FIELDS}
        copies = noted.setdefault(keep.id, list((keep.metadata or {}).get(COPIES_KEY, [])))
        if copy and not all(own[k] == v for k, v in copy.items()) and copy not in copies:
            copies.append(copy)
        folded.append(row.id)
        bind.execute(sa.update(articles).where(articles.c.cluster_id == row.id).values(cluster_id=keep.cluster_id or keep.id))
    for keep in keepers.values():
        if noted.get(keep.id):
            metadata = {**(keep.metadata or {}), COPIES_KEY: noted[keep.id][-50:]}
            bind.execute(sa.update(articles).where(articles.c.id == keep.id).values(metadata=metadata, updated_at=_now()))
    for start in range(0, len(folded), CHUNK):
        chunk = folded[start : start + CHUNK]
        for table in (bands, signatures, articles):
            key = table.c.id if table is articles else table.c.article_id
            bind.execute(sa.delete(table).where(key.in_(chunk)))
    record_changes(bind, folded, "delete")
