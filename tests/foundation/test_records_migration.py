"""Revision 0002 on real archives made at revision 0001: identical bodies that the old writer folded
into ``identical_copies`` come back as articles of their own, in their twin's cluster, and every
index learns of them through the change log. On SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select

from service.archive import Archive
from service.db import Article, ArticleBand, ArticleSignature, Base, Change, migrate
from service.ingest import fingerprint
from service.ingest.formats import parse_file
from service.ingest.pipeline import ingest
from service.search.engine import SearchRequest, SearchService
from service.settings import Settings
from tests.conftest import NEWS, needs_shared, write_news

BODY = (
    "أعلنت وزارة الزراعة اليوم عن خطة وطنية لدعم مزارعي القمح في المحافظات الشمالية، تشمل قروضا ميسرة "
    "وبذورا محسنة وتوسيع شبكات الري، وقال الوزير إن الخطة تستمر ثلاث سنوات بكلفة تتجاوز مئة مليون دولار."
)
OTHER = "هطلت أمطار غزيرة على الساحل اليوم وتسببت في فيضانات محدودة في الأحياء المنخفضة."
THIRD = "افتتحت البلدية مكتبة عامة جديدة تضم أكثر من عشرين ألف كتاب في مختلف المجالات."

# Revision 0001's tables, as the old writer filled them (no record_hash yet).
articles = sa.table(
    "articles",
    sa.column("id", sa.Integer),
    sa.column("source_id", sa.Integer),
    sa.column("external_id", sa.String),
    sa.column("url", sa.String),
    sa.column("title", sa.Text),
    sa.column("body", sa.Text),
    sa.column("author", sa.String),
    sa.column("published_at", sa.DateTime),
    sa.column("content_hash", sa.String),
    sa.column("cluster_id", sa.Integer),
    sa.column("ingested_at", sa.DateTime),
    sa.column("updated_at", sa.DateTime),
    sa.column("metadata", sa.JSON),
)
sources = sa.table("sources", sa.column("id", sa.Integer), sa.column("name", sa.String))


@pytest.fixture(params=["sqlite", "postgresql"])
def old_archive(request: pytest.FixtureRequest, data_dir: Path):
    """An archive migrated to revision 0001 only, on each store."""
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    archive = Archive(Settings(data_dir=data_dir, database_url=url))
    migrate.upgrade(archive.settings.sqlalchemy_url, "0001")
    yield archive
    archive.close()


def _old_article(connection: sa.Connection, body: str, **values) -> int:
    """One article as the 0001 writer stored it: row, MinHash signature, LSH bands, change log entry."""
    now = datetime(2026, 1, 1)
    digest = fingerprint.content_hash(body)
    article_id = connection.execute(
        sa.insert(articles)
        .values(
            body=body,
            content_hash=digest,
            ingested_at=now,
            updated_at=now,
            **{"metadata": {}, **values},
        )
        .returning(articles.c.id)
    ).scalar_one()
    connection.execute(sa.update(articles).where(articles.c.id == article_id).values(cluster_id=article_id))
    [signature] = fingerprint.signatures([fingerprint.normalized_text(body)])
    connection.execute(
        sa.insert(ArticleSignature.__table__).values(
            article_id=article_id, minhash=fingerprint.to_bytes(signature)
        )
    )
    connection.execute(
        sa.insert(ArticleBand.__table__),
        [{"key": key, "article_id": article_id} for key in set(fingerprint.band_keys(signature))],
    )
    connection.execute(sa.insert(Change.__table__).values(article_id=article_id, op="upsert", at=now))
    return article_id


def test_noted_copies_become_articles_in_their_twins_cluster(old_archive: Archive) -> None:
    with old_archive.db.engine.begin() as connection:
        arabiya, bbc = (
            connection.execute(sa.insert(sources).values(name=name).returning(sources.c.id)).scalar_one()
            for name in ("Al Arabiya", "BBC")
        )
        twin = _old_article(
            connection,
            BODY,
            source_id=arabiya,
            external_id="t1",
            url="https://a.example/t1",
            title="خطة القمح",
            author="مراسل",
            published_at=datetime(2018, 4, 6, 15),
            metadata={
                "tags": ["زراعة"],
                "identical_copies": [
                    {"source": "Al Arabiya", "url": "https://a.example/t2", "external_id": "t2"},  # restored
                    {"source": "وكالة جديدة", "external_id": "n1"},  # restored, with a source of its own
                    {"url": "https://c.example/u4"},  # restored, no source
                    {"source": "Al  Arabiya", "external_id": "t1"},  # the twin itself once spaces are tidied
                    {"source": "BBC", "url": "https://b.example/x"},  # that URL is an article's now
                    {"source": "BBC", "external_id": "x-later"},  # that id is an article's now
                ],
            },
        )
        later = _old_article(
            connection, OTHER, source_id=bbc, external_id="x-later", url="https://b.example/x"
        )
        theirs = _old_article(
            connection, THIRD, title="مكتبة", metadata={"identical_copies": "من بيانات المصدر"}
        )
    old_archive.index.sync(old_archive.db)
    assert old_archive.index.indexed_ids() == {twin, later, theirs}
    with old_archive.db.reading() as session:
        seq_before = session.scalar(select(func.max(Change.seq)))

    old_archive.upgrade()
    assert old_archive.is_migrated()

    with old_archive.db.reading() as session:
        stored = {a.id: a for a in session.scalars(select(Article).order_by(Article.id))}
        restored = [a for a in stored.values() if a.id not in (twin, later, theirs)]
        assert [(a.source.name if a.source else None, a.external_id, a.url) for a in restored] == [
            ("Al Arabiya", "t2", "https://a.example/t2"),
            ("وكالة جديدة", "n1", None),
            (None, None, "https://c.example/u4"),
        ]
        first = stored[twin]
        for copy in restored:
            assert (copy.body, copy.content_hash, copy.cluster_id) == (
                first.body,
                first.content_hash,
                first.cluster_id,
            )
            assert (copy.title, copy.author, copy.published_at) == ("خطة القمح", "مراسل", None)
            assert copy.extra == {
                "restored_copy": {"of": twin, "inherited": ["title", "author", "section", "language"]}
            }
            assert (
                session.get(ArticleSignature, copy.id).minhash == session.get(ArticleSignature, twin).minhash
            )
            bands = session.scalars(select(ArticleBand.key).where(ArticleBand.article_id == copy.id))
            assert set(bands) == set(
                session.scalars(select(ArticleBand.key).where(ArticleBand.article_id == twin))
            )
        assert first.extra == {"tags": ["زراعة"]}
        assert stored[theirs].extra == {
            "identical_copies": "من بيانات المصدر"
        }  # not the old writer's: left alone
        for article in stored.values():
            assert article.record_hash == fingerprint.record_hash(
                article.content_hash, article.source_id, article.external_id, article.url, article.title
            )
        logged = list(
            session.scalars(select(Change.article_id).where(Change.seq > seq_before).order_by(Change.seq))
        )
        assert logged == [copy.id for copy in restored]

    old_archive.index.sync(old_archive.db)  # the index learns of them from the change log alone
    assert old_archive.index.indexed_ids() == set(stored)
    service = SearchService(old_archive)
    folded = service.search(SearchRequest(q="مزارعي القمح", fold=True))
    assert [(h.id, h.folded, h.cluster_size) for h in folded.hits] == [(folded.hits[0].id, 3, 4)]
    assert {h.id for h in service.search(SearchRequest(q="مزارعي القمح", fold=False)).hits} == {
        twin,
        *(c.id for c in restored),
    }


@needs_shared(NEWS)
def test_real_twins_fold_back_on_downgrade_and_return_on_upgrade(
    any_archive: Archive, tmp_path: Path
) -> None:
    """Corpus lines 3845 and 3866 are one Al Arabiya article published under two ids and URLs."""
    news = write_news(tmp_path / "news.jsonl", 30, start=3840)
    assert ingest(any_archive, parse_file(news)).added == 30
    url = any_archive.settings.sqlalchemy_url
    with any_archive.db.reading() as session:
        copy = session.scalar(select(Article).where(Article.external_id == "ant2-AL-sport-1153-20180407"))
        twin = session.scalar(select(Article).where(Article.external_id == "ant2-AL-sport-1134-20180406"))
        assert copy.cluster_id == twin.cluster_id and copy.published_at != twin.published_at

    command.downgrade(migrate.alembic_config(url), "0001")  # what the old writer would have kept
    with any_archive.db.engine.connect() as connection:
        rows = connection.execute(select(articles.c.id, articles.c.metadata)).all()
    assert len(rows) == 29 and copy.id not in {row.id for row in rows}
    assert dict(rows)[twin.id]["identical_copies"] == [
        {"source": "Al Arabiya", "url": copy.url, "external_id": "ant2-AL-sport-1153-20180407"}
    ]
    any_archive.index.sync(any_archive.db)
    assert copy.id not in any_archive.index.indexed_ids()

    any_archive.upgrade()
    with any_archive.db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    with any_archive.db.reading() as session:
        restored = session.scalar(select(Article).where(Article.external_id == "ant2-AL-sport-1153-20180407"))
        assert (restored.url, restored.cluster_id, restored.published_at) == (copy.url, twin.cluster_id, None)
        ids = set(session.scalars(select(Article.id)))
    assert len(ids) == 30
    any_archive.index.sync(any_archive.db)
    assert any_archive.index.indexed_ids() == ids
    again = ingest(any_archive, parse_file(news))  # the copy's own record fills in what was never kept
    assert (again.added, again.updated, again.unchanged) == (0, 1, 29)
    with any_archive.db.reading() as session:
        assert session.get(Article, restored.id).published_at == copy.published_at
