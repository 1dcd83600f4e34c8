"""Revision 0003 on an archive made at revision 0002: the sources already stored get their known
aliases and the domain of their articles; a new archive is made on first use, an old one is not
upgraded behind its owner's back."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command

from service.archive import Archive
from service.db import migrate
from service.settings import Settings
from service.sources import list_sources
from tests.conftest import database_for, run_cli

articles = sa.table(
    "articles",
    *(sa.column(name, sa.String) for name in ("body", "url", "content_hash", "record_hash")),
    sa.column("source_id", sa.Integer),
    sa.column("ingested_at", sa.DateTime),
    sa.column("updated_at", sa.DateTime),
    sa.column("metadata", sa.JSON),
)
sources = sa.table("sources", sa.column("id", sa.Integer), sa.column("name", sa.String))


def _archive_at_0002(data_dir: Path) -> Archive:
    archive = Archive(Settings(data_dir=data_dir, database_url=database_for(data_dir)))
    migrate.upgrade(archive.settings.sqlalchemy_url, "0002")
    now = datetime(2018, 2, 1)
    with archive.db.engine.begin() as connection:
        connection.execute(
            sa.insert(sources), [{"id": 1, "name": "Sky News Arabia"}, {"id": 2, "name": "إذاعة الحيّ"}]
        )
        connection.execute(
            sa.insert(articles),
            [
                {
                    "body": f"خبر رقم {i} عن دير الزور",
                    "url": url,
                    "content_hash": f"{i:064d}",
                    "record_hash": f"{i:064d}",
                    "source_id": source,
                    "ingested_at": now,
                    "updated_at": now,
                    "metadata": {},
                }
                for i, (source, url) in enumerate(
                    [(1, None), (1, "https://www.skynewsarabia.com/a/1"), (2, "http://radio-hay.example/n/2")]
                )
            ],
        )
    return archive


def test_upgrade_gives_stored_sources_their_aliases_and_domains(data_dir: Path) -> None:
    archive = _archive_at_0002(data_dir)
    try:
        assert not archive.is_migrated()
        assert not archive.create_if_new()  # an archive with data is never migrated implicitly
        # the CLI says what to do and leaves the archive as it was
        refused = run_cli(data_dir, "sources", "list")
        assert refused.returncode == 1 and "arshif db upgrade" in refused.stderr
        assert migrate.current_revision(archive.db.engine) == "0002"

        archive.upgrade()
        listed = {s.name: s for s in list_sources(archive.db)}
        sky, radio = listed["Sky News Arabia"], listed["إذاعة الحيّ"]
        assert sky.domain == "skynewsarabia.com" and sky.articles == 2
        assert {"سكاي نيوز عربية", "سكاي نيوز", "skynewsarabia.com"} <= set(sky.aliases)
        assert radio.domain == "radio-hay.example" and radio.aliases == ["radio-hay.example"]

        command.downgrade(migrate.alembic_config(archive.settings.sqlalchemy_url), "0002")
        assert "source_aliases" not in sa.inspect(archive.db.engine).get_table_names()
        archive.upgrade()
        assert {s.name: s.aliases for s in list_sources(archive.db)}["إذاعة الحيّ"] == ["radio-hay.example"]
    finally:
        archive.close()


def test_a_new_archive_is_made_on_first_use(data_dir: Path) -> None:
    first = run_cli(data_dir, "search", "دير الزور", "--json")
    assert first.returncode == 0, first.stderr
    assert "أرشيف جديد" in first.stderr
    second = run_cli(data_dir, "sources", "list", "--json")
    assert second.returncode == 0 and second.stdout.strip() == "[]" and "أرشيف جديد" not in second.stderr
