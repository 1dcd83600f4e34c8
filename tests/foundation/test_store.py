"""The store of record: migrations agree with the models, and SQLite runs in server mode."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from service.db import Article, Base, migrate
from tests.conftest import sqlite_only


def test_migrations_and_models_agree(any_archive) -> None:
    with any_archive.db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
    assert any_archive.is_migrated()
    assert migrate.current_revision(any_archive.db.engine) == migrate.head_revision(
        any_archive.settings.sqlalchemy_url
    )


def test_schema_has_the_article_columns(any_archive) -> None:
    columns = {c["name"] for c in inspect(any_archive.db.engine).get_columns("articles")}
    assert {
        "id",
        "external_id",
        "url",
        "title",
        "body",
        "author",
        "section",
        "published_at",
        "language",
        "content_hash",
        "cluster_id",
        "ingested_at",
        "updated_at",
        "metadata",
        "source_id",
    } <= columns


@sqlite_only
def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(archive) -> None:
    with archive.db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_a_reader_is_not_blocked_by_an_open_write_transaction(any_archive) -> None:
    from service.ingest.store import ArticleInput, ArticleWriter

    with any_archive.db.writing() as session:
        ArticleWriter(session).upsert(ArticleInput(body="نص أول للتجربة", title="عنوان"))
    with any_archive.db.writing() as writer:
        ArticleWriter(writer).upsert(ArticleInput(body="نص ثانٍ لم يُحفظ بعد", title="عنوان آخر"))
        writer.flush()
        # The write transaction is open and holds the write lock; a reader still sees the last commit.
        with any_archive.db.reading() as reader:
            assert reader.query(Article).count() == 1
    with any_archive.db.reading() as reader:
        assert reader.query(Article).count() == 2


def test_upgrade_is_idempotent(any_archive) -> None:
    any_archive.upgrade()
    any_archive.upgrade()
    assert any_archive.is_migrated()
