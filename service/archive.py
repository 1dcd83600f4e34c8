"""The archive as one object: settings, the store of record and the search index that follows it."""

from __future__ import annotations

from functools import cached_property

from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from service.db import Database, migrate
from service.index.manager import SearchIndex
from service.settings import Settings


class Archive:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db = Database(settings.sqlalchemy_url, settings.write_deadline_s)

    @cached_property
    def index(self) -> SearchIndex:
        return SearchIndex(self.settings.index_dir)

    def upgrade(self) -> None:
        migrate.upgrade(self.settings.sqlalchemy_url)

    def create_if_new(self) -> bool:
        """Create and migrate a new archive — a database without a single table (for SQLite an absent
        or empty file) — as a first command in a new data directory expects; True if it did. An
        archive that has tables is never migrated here: upgrading one is ``arshif db upgrade``'s, on
        purpose, after a backup."""
        if inspect(self.db.engine).get_table_names():  # alembic_version is a table: a revision implies one
            return False
        try:
            self.upgrade()
        except SQLAlchemyError:
            if not self.is_migrated():  # not another process creating the same archive at the same time
                raise
        return True

    def is_migrated(self) -> bool:
        return migrate.is_at_head(self.db.engine, self.settings.sqlalchemy_url)

    def close(self) -> None:
        self.db.dispose()
