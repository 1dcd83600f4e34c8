"""Writing articles into the store of record: match, keep every record with an identity of its own,
cluster, and log the change for the index.

Every write goes through ``ArticleWriter`` so the CLI, the ingest endpoint and the article API agree
on what "the same article" means:
- the same (source, external_id), or failing that (a record without an external id) the same URL, is
  the same article: it is updated;
- a record whose body is identical (after ``fingerprint.normalized_text``) to a stored article's is that
  article seen again when each identifying field the record carries — source, external id, URL, title —
  equals the article's (a field the record lacks matches anything): nothing is written. If any of them
  differs, the record has an identity of its own (another outlet, another id, another address, another
  headline) and is kept as its own article, in its twin's cluster: an archive keeps what it is given,
  and search folds such twins like near-duplicates;
- a near-identical body joins the cluster of its closest earlier article.

Outcomes: "added", "updated", "unchanged" (already stored as it is), "duplicate" (the same record
given earlier in the same batch: stored once). ``Article.record_hash`` (body and identity) is unique, so
the very same record is never stored twice, even by two writers at once.

Writes are planned for a whole batch with a handful of set-based queries and executed with
``executemany``; a single write is a batch of one. The caller owns the transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar, cast

import numpy as np
from sqlalchemy import Connection, Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from service.db import Article, ArticleBand, ArticleSignature, Source
from service.db.models import utcnow
from service.db.outbox import record_changes
from service.ingest import fingerprint
from service.ingest.fingerprint import Fingerprint
from service.ingest.formats.dates import as_utc
from service.ingest.limits import MAX_METADATA_DEPTH, too_deep_metadata
from service.sources import known_aliases, note_domain, store_aliases

EDITABLE_FIELDS = ("title", "body", "url", "author", "section", "published_at", "language", "external_id")
MAX_TITLE_CHARS = 2_000
MAX_BODY_CHARS = 20_000_000
CHUNK = 900  # SQLite bound-parameter budget per statement, with room to spare
# Batch writes go through Core on the tables, not ORM bulk operations: the ORM's per-row bookkeeping
# (and its bulk UPDATE, one statement per row) cost more than the SQL itself.
ARTICLES, SIGNATURES, BANDS = (cast(Table, m.__table__) for m in (Article, ArticleSignature, ArticleBand))
_SET_CLUSTER = (
    update(ARTICLES).where(ARTICLES.c.id == bindparam("article")).values(cluster_id=bindparam("cluster"))
)


@dataclass
class ArticleInput:
    """What any entry point hands to the writer (parsed files, API bodies)."""

    body: str
    title: str | None = None
    url: str | None = None
    external_id: str | None = None
    source: str | None = None
    author: str | None = None
    section: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    metadata: dict[str, Any] | None = None
    fingerprint: Fingerprint | None = None  # of ``body``, when a bulk reader computed it; else computed here


class RejectedRecord(Exception):
    """A record that cannot be stored; the message is the one-line reason for the summary."""


@dataclass
class WriteResult:
    outcome: str  # "added" | "updated" | "unchanged" | "duplicate" (see the module docstring)
    article_id: int


IDENTITY_FIELDS = ("source_id", "external_id", "url", "title")


def same_record(record: dict[str, Any], stored: dict[str, Any]) -> bool:
    """Whether a record with the same body as ``stored`` is that record seen again: every identifying
    field the record carries equals the stored one's; a field it lacks (None or empty) matches anything,
    so a file re-read with less detail changes nothing."""
    return all(record[name] in (None, "") or record[name] == stored[name] for name in IDENTITY_FIELDS)


def record_of(content_hash: str, identity: dict[str, Any]) -> str:
    """The record hash of a body and the identity fields of ``identity`` (a plan's, or a stored row's)."""
    return fingerprint.record_hash(content_hash, *(identity[name] for name in IDENTITY_FIELDS))


def validate(item: ArticleInput) -> None:
    if not isinstance(item.body, str) or not item.body.strip():
        raise RejectedRecord("record has no body / السجل بلا نص")
    if len(item.body) > MAX_BODY_CHARS:
        raise RejectedRecord(f"body longer than {MAX_BODY_CHARS:,} characters / النص أطول من المسموح")
    for name, limit in FIELD_LIMITS.items():
        value = getattr(item, name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise RejectedRecord(f"{name} must be text / الحقل {name} يجب أن يكون نصًّا")
        if limit and len(value) > limit:
            raise RejectedRecord(f"{name} longer than {limit:,} characters / الحقل {name} أطول من المسموح")
        if "\x00" in value:
            raise RejectedRecord("text contains NUL bytes / النص يحوي محارف NUL")
    if item.published_at is not None and (
        not isinstance(item.published_at, datetime) or as_utc(item.published_at) is None
    ):
        raise RejectedRecord("published_at is not a date UTC can hold / تاريخ النشر خارج مدى التواريخ")
    if item.metadata and too_deep_metadata(item.metadata):
        raise RejectedRecord(
            f"metadata nested deeper than {MAX_METADATA_DEPTH} levels"
            f" / البيانات الإضافية متداخلة أكثر من {MAX_METADATA_DEPTH} مستوى"
        )


# The store's column widths, enforced here for every store (PostgreSQL refuses longer values, SQLite
# would keep them), so a record is rejected alone instead of failing its whole batch.
FIELD_LIMITS: dict[str, int | None] = {
    "title": MAX_TITLE_CHARS,
    "body": None,
    "source": getattr(Source.__table__.c.name.type, "length", None),
    **{
        name: getattr(Article.__table__.c[name].type, "length", None)
        for name in ("url", "external_id", "author", "section", "language")
    },
}


@dataclass(eq=False)
class _Planned:
    item: ArticleInput
    source_id: int | None
    normalized: str | None  # None when the signature came with the record
    digest: str
    signature: np.ndarray | None = None
    existing: dict[str, Any] | None = None
    result: WriteResult | RejectedRecord | None = None
    copy_of: _Planned | None = None  # the same record, given earlier in the same batch
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def identity(self) -> dict[str, Any]:
        return {
            "source_id": self.source_id,
            "external_id": self.item.external_id,
            "url": self.item.url,
            "title": self.item.title,
        }

    @property
    def existing_id(self) -> int:
        """The stored article this record updates (only asked of planned updates)."""
        assert self.existing is not None
        return self.existing["id"]

    @property
    def decided(self) -> WriteResult | RejectedRecord:
        """The record's result, which every plan has once the batch is executed."""
        assert self.result is not None
        return self.result

    @property
    def written_id(self) -> int:
        """The id of the article the record was written to (only asked of added and updated records)."""
        assert isinstance(self.result, WriteResult)
        return self.result.article_id


_BAND_MEMBERS = select(BANDS.c.key, BANDS.c.article_id).where(
    BANDS.c.key.in_(bindparam("keys", expanding=True))
)


def _insert_tuples(
    connection: Connection, table: Table, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """One ``executemany`` of plain tuples on the driver: band rows come ~12 per article, and
    SQLAlchemy's per-row parameter processing cost more than SQLite's inserts."""
    if not rows:
        return
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    marks = ", ".join([mark] * len(columns))
    connection.exec_driver_sql(f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})", rows)


T = TypeVar("T")


def _chunks(values: list[T], size: int = CHUNK) -> Iterator[list[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _same_record_stored(article_id: int) -> RejectedRecord:
    return RejectedRecord(
        f"the same record (body, source, external id, URL and title) is already article {article_id}"
        f" / السجل نفسه (النص والمصدر والمعرّف والرابط والعنوان) محفوظ في المقال {article_id}"
    )


class ArticleWriter:
    """Applies article writes inside a caller's write session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._sources: dict[str, int] = {}
        self._domains: dict[int, str | None] = {}  # source id -> domain, None while unknown

    # -- public --------------------------------------------------------------------------------

    def upsert(self, item: ArticleInput) -> WriteResult:
        result = self.upsert_many([item])[0]
        if isinstance(result, RejectedRecord):
            raise result
        return result

    def upsert_many(self, items: list[ArticleInput]) -> list[WriteResult | RejectedRecord]:
        """Add or update many articles at once; each gets a result or the reason it was rejected."""
        planned: list[_Planned] = []
        results: list[WriteResult | RejectedRecord | None] = [None] * len(items)
        for i, item in enumerate(items):
            try:
                validate(item)
            except RejectedRecord as exc:
                results[i] = exc
                continue
            given = item.fingerprint
            if given is not None:
                plan = _Planned(
                    item, self.source_id(item.source, item.url), None, given.content_hash, given.signature
                )
            else:
                normalized = fingerprint.normalized_text(item.body)
                plan = _Planned(
                    item,
                    self.source_id(item.source, item.url),
                    normalized,
                    fingerprint.content_hash_of(normalized),
                )
            planned.append(plan)
        self._find_existing(planned)
        self._decide(planned)
        self._execute(planned)
        it = iter(planned)
        return [r if r is not None else next(it).decided for r in results]

    def source_id(self, name: str | None, url: str | None = None) -> int | None:
        """The source's id, made if new (with its known aliases, ``service/sources.py``); a source
        with no domain yet takes the one of ``url`` (an article's) as its domain and an alias."""
        if not name or not name.strip():
            return None
        name = " ".join(name.split())[:200]
        if name not in self._sources:
            row = self.session.execute(select(Source.id, Source.domain).where(Source.name == name)).first()
            if row is None:
                found = self.session.execute(
                    insert(Source).values(name=name).returning(Source.id)
                ).scalar_one()
                store_aliases(self.session, found, known_aliases(name))
                self._sources[name], self._domains[found] = found, None
            else:
                self._sources[name], self._domains[row.id] = row.id, row.domain
        found = self._sources[name]
        if url and self._domains.get(found) is None:
            self._domains[found] = note_domain(self.session, found, url)
        return found

    def patch(self, article: Article, fields: dict[str, Any]) -> Article:
        """Change some fields of an article (the API's PUT and PATCH), keeping hash, cluster and index in step."""
        merged = ArticleInput(
            body=fields.get("body", article.body),
            **{name: fields.get(name, getattr(article, name)) for name in EDITABLE_FIELDS if name != "body"},
            source=fields.get("source", article.source.name if article.source else None),
            metadata=fields.get("metadata"),
        )
        validate(merged)
        normalized = fingerprint.normalized_text(merged.body)
        digest = fingerprint.content_hash_of(normalized)
        source_id = self.source_id(merged.source, merged.url)
        record = fingerprint.record_hash(digest, source_id, merged.external_id, merged.url, merged.title)
        clash = self.session.scalar(
            select(Article.id).where(Article.record_hash == record, Article.id != article.id)
        )
        if clash is not None:
            raise _same_record_stored(clash)
        if merged.external_id is not None:
            same_source = Article.source_id.is_(None) if source_id is None else Article.source_id == source_id
            taken = self.session.scalar(
                select(Article.id).where(
                    same_source, Article.external_id == merged.external_id, Article.id != article.id
                )
            )
            if taken is not None:
                raise RejectedRecord(
                    f"external_id {merged.external_id!r} already belongs to article {taken} of this source"
                    f" / المعرّف الخارجي مستعمل في المقال {taken} من المصدر نفسه"
                )
        article.source_id = source_id
        for name in EDITABLE_FIELDS:
            setattr(article, name, getattr(merged, name))
        article.record_hash = record
        if "metadata" in fields:
            article.extra = dict(fields["metadata"] or {})
        article.updated_at = utcnow()
        if article.content_hash != digest:
            article.content_hash = digest
            self.session.flush()
            self._forget_signatures([article.id])
            self._cluster({article.id: fingerprint.signatures([normalized])[0]})
        self.session.flush()
        record_changes(self.session, [article.id])
        return article

    def delete(self, article: Article) -> None:
        article_id = article.id
        self.session.delete(article)
        self.session.flush()
        record_changes(self.session, [article_id], "delete")

    # -- planning ------------------------------------------------------------------------------

    def _find_existing(self, planned: list[_Planned]) -> None:
        columns = [
            Article.id,
            Article.source_id,
            Article.content_hash,
            Article.record_hash,
            Article.extra,
            *(getattr(Article, f) for f in EDITABLE_FIELDS),
        ]
        by_key: dict[tuple[int | None, str | None], dict[str, Any]] = {}
        keyed = [p for p in planned if p.item.external_id]
        # One query per source, ``source_id = ? AND external_id IN (...)``: a probe of the unique index
        # per id. (A row-value ``(source_id, external_id) IN (...)`` made SQLite scan the whole table,
        # so each batch cost more the larger the archive grew.)
        by_source: dict[int, set[str]] = defaultdict(set)
        for p in keyed:
            if p.source_id is not None and p.item.external_id:
                by_source[p.source_id].add(p.item.external_id)
        for source_id, external_ids in by_source.items():
            for chunk in _chunks(sorted(external_ids)):
                query = select(*columns).where(Article.source_id == source_id, Article.external_id.in_(chunk))
                for row in self.session.execute(query):
                    by_key[(row.source_id, row.external_id)] = row._asdict()
        sourceless = list({p.item.external_id for p in keyed if p.source_id is None})
        for ids in _chunks(sourceless):
            query = select(*columns).where(Article.source_id.is_(None), Article.external_id.in_(ids))
            for row in self.session.execute(query):
                by_key[(None, row.external_id)] = row._asdict()
        by_url: dict[str, dict[str, Any]] = {}
        urls = list({p.item.url for p in planned if not p.item.external_id and p.item.url})
        for some_urls in _chunks(urls):
            query = select(*columns).where(Article.url.in_(some_urls)).order_by(Article.id)
            for row in self.session.execute(query):
                by_url[row.url] = row._asdict()  # the newest article with that URL wins
        for p in planned:
            if p.item.external_id:
                p.existing = by_key.get((p.source_id, p.item.external_id))
            elif p.item.url:
                p.existing = by_url.get(p.item.url)

    def _decide(self, planned: list[_Planned]) -> None:
        twins = self._stored_twins({p.digest for p in planned})
        claims: dict[str, list[_Planned]] = defaultdict(list)  # new records of this batch, by body
        seen_keys: dict[tuple[int | str | None, str], _Planned] = {}
        for p in planned:
            key = (
                (p.source_id, p.item.external_id)
                if p.item.external_id
                else ("url", p.item.url)
                if p.item.url
                else None
            )
            earlier = seen_keys.get(key) if key else None
            if earlier is not None:
                # the same article twice in one batch: the later version is the one that counts
                earlier.result = WriteResult("unchanged", -1)
                earlier.values = {}
                claims[earlier.digest] = [c for c in claims[earlier.digest] if c is not earlier]
                p.existing = earlier.existing
            if key:
                seen_keys[key] = p
            if p.existing is None:
                self._plan_new(p, twins.get(p.digest, []), claims[p.digest])
            else:
                self._plan_update(p)
        self._refuse_taken_records([p for p in planned if p.result is None and "record_hash" in p.values])

    def _stored_twins(self, digests: set[str]) -> dict[str, list[dict[str, Any]]]:
        """Stored articles with each of these bodies, oldest first, with what identifies them."""
        found: dict[str, list[dict[str, Any]]] = defaultdict(list)
        columns = (Article.id, Article.content_hash, *(getattr(Article, name) for name in IDENTITY_FIELDS))
        for chunk in _chunks(list(digests)):
            for row in self.session.execute(
                select(*columns).where(Article.content_hash.in_(chunk)).order_by(Article.id)
            ):
                found[row.content_hash].append(row._asdict())
        return found

    def _plan_new(self, p: _Planned, stored: list[dict[str, Any]], claimed: list[_Planned]) -> None:
        """A record no stored article is keyed to: the same record seen again, or a new article."""
        identity = p.identity
        seen = next((row for row in stored if same_record(identity, row)), None)
        if seen is not None:
            p.result = WriteResult("unchanged", seen["id"])
            return
        earlier = next((c for c in claimed if same_record(identity, c.identity)), None)
        if earlier is not None:
            p.copy_of = earlier  # resolved once the earlier record has its id
            p.result = WriteResult("duplicate", -1)
            return
        claimed.append(p)
        p.values = self._row_values(p)
        p.values["record_hash"] = record_of(p.digest, identity)

    def _plan_update(self, p: _Planned) -> None:
        """A record keyed to a stored article: the fields that differ, or nothing."""
        existing = p.existing
        assert existing is not None
        values = self._row_values(p)
        changed = {
            k: v
            for k, v in values.items()
            if k in existing and existing[k] != v and not (k == "external_id" and v is None)
        }
        metadata = {**(existing["extra"] or {}), **(p.item.metadata or {})}
        if metadata != (existing["extra"] or {}):
            changed["extra"] = metadata
        merged = {**existing, **changed}
        record = record_of(merged["content_hash"], merged)
        if record != existing["record_hash"]:
            changed["record_hash"] = record
        if not changed:
            p.result = WriteResult("unchanged", existing["id"])
            return
        p.values = changed

    def _refuse_taken_records(self, updates: list[_Planned]) -> None:
        """An update that would make an article the very same record as another (body, source, id, URL
        and title all equal) is refused: the store keeps one of each."""
        wanted = {p.values["record_hash"]: p for p in updates if p.existing is not None}
        for chunk in _chunks(list(wanted)):
            for record, owner in self.session.execute(
                select(Article.record_hash, Article.id).where(Article.record_hash.in_(chunk))
            ):
                p = wanted[record]
                if p.existing is not None and owner != p.existing["id"]:
                    p.result, p.values = _same_record_stored(owner), {}

    def _row_values(self, p: _Planned) -> dict[str, Any]:
        values = {name: getattr(p.item, name) for name in EDITABLE_FIELDS}
        values.update(source_id=p.source_id, content_hash=p.digest)
        return values

    # -- execution -----------------------------------------------------------------------------

    def _execute(self, planned: list[_Planned]) -> None:
        now = utcnow()
        new = [p for p in planned if p.result is None and p.existing is None]
        changed = [p for p in planned if p.result is None and p.existing is not None]
        if new:
            rows = [
                {**p.values, "metadata": dict(p.item.metadata or {}), "ingested_at": now, "updated_at": now}
                for p in new
            ]
            ids = self.session.scalars(
                insert(ARTICLES).returning(ARTICLES.c.id, sort_by_parameter_order=True), rows
            ).all()
            for p, article_id in zip(new, ids):
                p.result = WriteResult("added", article_id)
        for p in changed:
            stored = update(Article).where(Article.id == p.existing_id)
            self.session.execute(stored.values(**p.values, updated_at=now))
            p.result = WriteResult("updated", p.existing_id)
        rehash = [p for p in changed if "content_hash" in p.values]
        self._forget_signatures([p.existing_id for p in rehash])
        fresh = new + rehash
        unsigned = [p for p in fresh if p.signature is None]
        for p, sig in zip(unsigned, fingerprint.signatures([p.normalized or "" for p in unsigned])):
            p.signature = sig
        self._cluster({p.written_id: p.signature for p in fresh if p.signature is not None})
        for p in planned:
            if (
                p.copy_of is not None
                and isinstance(p.copy_of.result, WriteResult)
                and p.copy_of.result.outcome == "added"
            ):
                p.result = WriteResult("duplicate", p.copy_of.result.article_id)
        self.session.flush()
        record_changes(self.session, [p.written_id for p in new + changed])

    def _forget_signatures(self, article_ids: list[int]) -> None:
        for chunk in _chunks(article_ids):
            self.session.execute(delete(ArticleBand).where(ArticleBand.article_id.in_(chunk)))
            self.session.execute(delete(ArticleSignature).where(ArticleSignature.article_id.in_(chunk)))

    def _cluster(self, signatures: dict[int, np.ndarray]) -> None:
        """Give each article the cluster of its most similar earlier article (LSH candidates, MinHash check)."""
        if not signatures:
            return
        keys = {article_id: fingerprint.band_keys(sig) for article_id, sig in signatures.items()}
        buckets: dict[int, set[int]] = defaultdict(set)
        all_keys = list({k for ks in keys.values() for k in ks})
        connection = self.session.connection()
        for chunk in _chunks(all_keys):
            for key, other in connection.execute(_BAND_MEMBERS, {"keys": chunk}):
                buckets[key].add(other)
        candidates = {other for group in buckets.values() for other in group} - set(signatures)
        known: dict[int, tuple[np.ndarray, int]] = {}
        for chunk in _chunks(list(candidates)):
            rows = self.session.execute(
                select(ArticleSignature.article_id, ArticleSignature.minhash, Article.cluster_id)
                .join(Article, Article.id == ArticleSignature.article_id)
                .where(ArticleSignature.article_id.in_(chunk))
            )
            for other, blob, cluster in rows:
                known[other] = (fingerprint.from_bytes(blob), cluster or other)
        assigned: list[dict[str, int]] = []
        for article_id in sorted(signatures):  # earlier ids first, so a batch clusters like one-by-one
            sig = signatures[article_id]
            best, best_score = None, fingerprint.NEAR_DUPLICATE_JACCARD
            for other in {o for k in keys[article_id] for o in buckets.get(k, ())}:
                if other == article_id or other not in known:
                    continue
                score = fingerprint.similarity(sig, known[other][0])
                if score >= best_score and (best is None or score > best_score or other < best):
                    best, best_score = other, score
            cluster = known[best][1] if best is not None else article_id
            assigned.append({"article": article_id, "cluster": cluster})
            known[article_id] = (sig, cluster)
            for key in keys[article_id]:
                buckets[key].add(article_id)
        self.session.execute(_SET_CLUSTER, assigned)
        self.session.execute(
            insert(SIGNATURES),
            [{"article_id": a, "minhash": fingerprint.to_bytes(s)} for a, s in signatures.items()],
        )
        _insert_tuples(
            connection, BANDS, ("key", "article_id"), [(k, a) for a, ks in keys.items() for k in set(ks)]
        )
