"""Writing articles into the store of record: match, dedupe, cluster, and log the change for the index.

Every write goes through ``ArticleWriter`` so the CLI, the ingest endpoint and the article API agree
on what "the same article" means:
- the same (source, external_id), or failing that the same URL, is the same article: it is updated;
- an identical body (after ``fingerprint.normalized_text``) is never stored twice;
- a near-identical body joins the cluster of its closest earlier article.

Writes are planned for a whole batch with a handful of set-based queries and executed with
``executemany``; a single write is a batch of one. The caller owns the transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import delete, insert, select, tuple_, update
from sqlalchemy.orm import Session

from service.db import Article, ArticleBand, ArticleSignature, Source
from service.db.outbox import record_changes
from service.db.models import utcnow
from service.ingest import fingerprint
from service.ingest.formats.dates import as_utc
from service.ingest.limits import MAX_METADATA_DEPTH, too_deep_metadata

EDITABLE_FIELDS = ("title", "body", "url", "author", "section", "published_at", "language", "external_id")
MAX_TITLE_CHARS = 2_000
MAX_BODY_CHARS = 20_000_000
CHUNK = 900  # SQLite bound-parameter budget per statement, with room to spare


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


class RejectedRecord(Exception):
    """A record that cannot be stored; the message is the one-line reason for the summary."""


@dataclass
class WriteResult:
    outcome: str  # "added" | "updated" | "unchanged" | "duplicate"
    article_id: int


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
    if item.published_at is not None and (not isinstance(item.published_at, datetime) or as_utc(item.published_at) is None):
        raise RejectedRecord("published_at is not a date UTC can hold / تاريخ النشر خارج مدى التواريخ")
    if item.metadata and too_deep_metadata(item.metadata):
        raise RejectedRecord(f"metadata nested deeper than {MAX_METADATA_DEPTH} levels"
                             f" / البيانات الإضافية متداخلة أكثر من {MAX_METADATA_DEPTH} مستوى")


# The store's column widths, enforced here for every store (PostgreSQL refuses longer values, SQLite
# would keep them), so a record is rejected alone instead of failing its whole batch.
FIELD_LIMITS: dict[str, int | None] = {
    "title": MAX_TITLE_CHARS, "body": None, "source": Source.__table__.c.name.type.length,
    **{name: getattr(Article.__table__.c[name].type, "length", None)
       for name in ("url", "external_id", "author", "section", "language")},
}


@dataclass
class _Planned:
    item: ArticleInput
    source_id: int | None
    normalized: str
    digest: str
    existing: dict[str, Any] | None = None
    result: WriteResult | RejectedRecord | None = None
    copy_of: _Planned | None = None  # an identical body claimed earlier in the same batch
    values: dict[str, Any] = field(default_factory=dict)


def _chunks(values: list, size: int = CHUNK):  # type: ignore[no-untyped-def, type-arg]
    for start in range(0, len(values), size):
        yield values[start : start + size]


class ArticleWriter:
    """Applies article writes inside a caller's write session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._sources: dict[str, int] = {}

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
            normalized = fingerprint.normalized_text(item.body)
            plan = _Planned(item, self.source_id(item.source), normalized, fingerprint.content_hash_of(normalized))
            planned.append(plan)
        self._find_existing(planned)
        self._decide(planned)
        self._execute(planned)
        it = iter(planned)
        return [r if r is not None else next(it).result for r in results]  # type: ignore[misc]

    def source_id(self, name: str | None) -> int | None:
        if not name or not name.strip():
            return None
        name = " ".join(name.split())[:200]
        if name not in self._sources:
            found = self.session.scalar(select(Source.id).where(Source.name == name))
            if found is None:
                found = self.session.execute(insert(Source).values(name=name).returning(Source.id)).scalar_one()
            self._sources[name] = found
        return self._sources[name]

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
        clash = self.session.scalar(select(Article.id).where(Article.content_hash == digest, Article.id != article.id))
        if clash is not None:
            raise RejectedRecord(f"identical body already stored as article {clash} / النص نفسه محفوظ في المقال {clash}")
        source_id = self.source_id(merged.source)
        if merged.external_id is not None:
            same_source = Article.source_id.is_(None) if source_id is None else Article.source_id == source_id
            taken = self.session.scalar(
                select(Article.id).where(same_source, Article.external_id == merged.external_id, Article.id != article.id)
            )
            if taken is not None:
                raise RejectedRecord(
                    f"external_id {merged.external_id!r} already belongs to article {taken} of this source"
                    f" / المعرّف الخارجي مستعمل في المقال {taken} من المصدر نفسه"
                )
        article.source_id = source_id
        for name in EDITABLE_FIELDS:
            setattr(article, name, getattr(merged, name))
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
        columns = [Article.id, Article.source_id, Article.content_hash, Article.extra, *(getattr(Article, f) for f in EDITABLE_FIELDS)]
        by_key: dict[tuple, dict] = {}  # type: ignore[type-arg]
        keyed = [p for p in planned if p.item.external_id]
        pairs = list({(p.source_id, p.item.external_id) for p in keyed if p.source_id is not None})
        for chunk in _chunks(pairs, CHUNK // 2):
            for row in self.session.execute(select(*columns).where(tuple_(Article.source_id, Article.external_id).in_(chunk))):
                by_key[(row.source_id, row.external_id)] = row._asdict()
        sourceless = list({p.item.external_id for p in keyed if p.source_id is None})
        for chunk in _chunks(sourceless):
            for row in self.session.execute(select(*columns).where(Article.source_id.is_(None), Article.external_id.in_(chunk))):
                by_key[(None, row.external_id)] = row._asdict()
        by_url: dict[str, dict] = {}  # type: ignore[type-arg]
        urls = list({p.item.url for p in planned if not p.item.external_id and p.item.url})
        for chunk in _chunks(urls):
            for row in self.session.execute(select(*columns).where(Article.url.in_(chunk)).order_by(Article.id)):
                by_url[row.url] = row._asdict()  # the newest article with that URL wins
        for p in planned:
            if p.item.external_id:
                p.existing = by_key.get((p.source_id, p.item.external_id))
            elif p.item.url:
                p.existing = by_url.get(p.item.url)

    def _decide(self, planned: list[_Planned]) -> None:
        hashes: dict[str, int | None] = {}
        for chunk in _chunks(list({p.digest for p in planned})):
            hashes.update(self.session.execute(select(Article.content_hash, Article.id).where(Article.content_hash.in_(chunk))).all())
        seen_keys: dict[tuple, _Planned] = {}  # type: ignore[type-arg]
        claims: dict[str, _Planned] = {}
        for p in planned:
            key = (p.source_id, p.item.external_id) if p.item.external_id else ("url", p.item.url) if p.item.url else None
            earlier = seen_keys.get(key) if key else None
            if earlier is not None:
                # the same article twice in one batch: the later version is the one that counts
                earlier.result = WriteResult("unchanged", -1)
                earlier.values = {}
                if earlier.existing is None:
                    hashes.pop(earlier.digest, None)
                p.existing = earlier.existing
            if key:
                seen_keys[key] = p
            owner = hashes.get(p.digest, -2)
            if p.existing is None:
                if owner is None and p.digest in claims:
                    p.copy_of = claims[p.digest]  # resolved once the claimant has its id
                    p.result = WriteResult("duplicate", -1)
                    continue
                if owner != -2:
                    same = owner is not None and self._is_same_record(owner, p)
                    p.result = WriteResult("unchanged" if same else "duplicate", owner if owner is not None else -1)
                    continue
                hashes[p.digest] = None  # claimed by this batch
                claims[p.digest] = p
                p.values = self._row_values(p)
                continue
            if owner != -2 and owner != p.existing["id"]:
                p.result = WriteResult("duplicate", owner if owner is not None else -1)
                continue
            values = self._row_values(p)
            changed = {k: v for k, v in values.items() if k in p.existing and p.existing[k] != v and not (k == "external_id" and v is None)}
            metadata = {**(p.existing["extra"] or {}), **(p.item.metadata or {})}
            if metadata != (p.existing["extra"] or {}):
                changed["extra"] = metadata
            if not changed:
                p.result = WriteResult("unchanged", p.existing["id"])
                continue
            hashes[p.digest] = p.existing["id"]
            p.values = changed

    def _is_same_record(self, article_id: int, p: _Planned) -> bool:
        """An identical body from a record that names no other place (same or no source, URL and id)
        is the same article seen again, not a copy elsewhere: re-ingesting a file changes nothing."""
        row = self.session.execute(
            select(Article.source_id, Article.url, Article.external_id).where(Article.id == article_id)
        ).one()
        return all(
            mine is None or mine == theirs
            for mine, theirs in ((p.source_id, row.source_id), (p.item.url, row.url), (p.item.external_id, row.external_id))
        )

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
            rows = [{**p.values, "extra": dict(p.item.metadata or {}), "ingested_at": now, "updated_at": now} for p in new]
            ids = self.session.scalars(insert(Article).returning(Article.id, sort_by_parameter_order=True), rows).all()
            for p, article_id in zip(new, ids):
                p.result = WriteResult("added", article_id)
        for p in changed:
            self.session.execute(update(Article).where(Article.id == p.existing["id"]).values(**p.values, updated_at=now))  # type: ignore[index]
            p.result = WriteResult("updated", p.existing["id"])  # type: ignore[index]
        rehash = [p for p in changed if "content_hash" in p.values]
        self._forget_signatures([p.existing["id"] for p in rehash])  # type: ignore[index]
        fresh = new + rehash
        signatures = dict(zip([p.result.article_id for p in fresh], fingerprint.signatures([p.normalized for p in fresh])))  # type: ignore[union-attr]
        self._cluster(signatures)
        for p in planned:
            if p.copy_of is not None and isinstance(p.copy_of.result, WriteResult) and p.copy_of.result.outcome == "added":
                p.result = WriteResult("duplicate", p.copy_of.result.article_id)
            if isinstance(p.result, WriteResult) and p.result.outcome == "duplicate" and p.result.article_id > 0:
                self._note_copy(p.result.article_id, p.item)
        self.session.flush()
        record_changes(self.session, [p.result.article_id for p in new + changed])  # type: ignore[union-attr]

    def _note_copy(self, article_id: int, item: ArticleInput) -> None:
        """Remember where else an identical body was seen, without storing it twice."""
        copy = {k: v for k, v in (("source", item.source), ("url", item.url), ("external_id", item.external_id)) if v}
        article = self.session.get(Article, article_id)
        if not copy or article is None:
            return
        own = {"source": article.source.name if article.source else None, "url": article.url, "external_id": article.external_id}
        if all(own.get(k) == v for k, v in copy.items()):
            return
        copies = list(article.extra.get("identical_copies", []))
        if copy not in copies:
            article.extra = {**article.extra, "identical_copies": (copies + [copy])[-50:]}
            self.session.flush()

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
        for chunk in _chunks(all_keys):
            for key, other in self.session.execute(select(ArticleBand.key, ArticleBand.article_id).where(ArticleBand.key.in_(chunk))):
                buckets[key].add(other)
        candidates = {other for group in buckets.values() for other in group} - set(signatures)
        known: dict[int, tuple[np.ndarray, int]] = {}
        for chunk in _chunks(list(candidates)):
            rows = self.session.execute(
                select(ArticleSignature.article_id, ArticleSignature.minhash, Article.cluster_id)
                .join(Article, Article.id == ArticleSignature.article_id).where(ArticleSignature.article_id.in_(chunk))
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
            assigned.append({"id": article_id, "cluster_id": cluster})
            known[article_id] = (sig, cluster)
            for key in keys[article_id]:
                buckets[key].add(article_id)
        self.session.execute(update(Article), assigned)  # ORM bulk UPDATE by primary key
        self.session.execute(insert(ArticleSignature), [
            {"article_id": a, "minhash": fingerprint.to_bytes(s)} for a, s in signatures.items()
        ])
        self.session.execute(insert(ArticleBand), [
            {"key": key, "article_id": a} for a, ks in keys.items() for key in set(ks)
        ])
