"""The archive as one object: settings, the store of record and the search index that follows it."""

from __future__ import annotations

from functools import cached_property

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

    def is_migrated(self) -> bool:
        return migrate.is_at_head(self.db.engine, self.settings.sqlalchemy_url)

    def close(self) -> None:
        self.db.dispose()
