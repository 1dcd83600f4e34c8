"""Copy a whole archive into another store: how a single machine's SQLite moves to PostgreSQL.

Rows are copied table by table as they are (ids, clusters, signatures, the change log), from one read
transaction, so the copy is one consistent moment of the source even while it keeps serving. Search
indexes are not copied: each node builds its own from the target.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import Connection, Table, func, select, text

from service.db import migrate
from service.db.engine import Database
from service.db.models import Base
from service.errors import ArshifError

BATCH = 1000


def copy_archive(
    source: Database, target: Database, progress: Callable[[str, int], None] | None = None
) -> dict[str, int]:
    migrate.upgrade(target.url)
    tables = Base.metadata.sorted_tables  # parents before children
    with target.engine.connect() as probe:
        filled = [t.name for t in tables if probe.scalar(select(func.count()).select_from(t))]
    if filled:
        raise ArshifError(
            f"قاعدة البيانات الهدف ليست فارغة ({', '.join(filled)})",
            f"the target database is not empty ({', '.join(filled)}); copy into a new, empty database",
        )
    copied: dict[str, int] = {}
    with source.engine.connect() as reader, reader.begin(), target.engine.begin() as writer:
        for table in tables:
            copied[table.name] = 0
            rows = reader.execute(select(table).order_by(*table.primary_key.columns)).mappings()
            while batch := [dict(row) for row in rows.fetchmany(BATCH)]:
                writer.execute(table.insert(), batch)
                copied[table.name] += len(batch)
                if progress:
                    progress(table.name, len(batch))
        if writer.dialect.name == "postgresql":
            _advance_sequences(writer, tables)
    return copied


def _advance_sequences(connection: Connection, tables: Sequence[Table]) -> None:
    """Rows came with their ids; the next id PostgreSQL hands out must come after them. (For a
    column without a sequence, pg_get_serial_sequence is NULL and setval does nothing.)"""
    for table in tables:
        keys = list(table.primary_key.columns)
        if len(keys) == 1:
            name = keys[0].name
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{name}'), COALESCE(MAX({name}), 0) + 1, false)"
                    f" FROM {table.name}"
                )
            )
