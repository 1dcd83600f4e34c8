"""What a page of hits shows, read from the store in one round trip, as plain rows.

Hydration used to load ORM ``Article`` objects (with their ``Source`` joined) and then ask a second
query for the cluster sizes: two round trips and an identity-mapped object per hit, for values that are
only read. ``hit_rows`` asks once, through SQLAlchemy Core: the columns a hit shows, the outlet's name,
and the size of the hit's near-duplicate cluster as a correlated count (an index probe on
``ix_articles_cluster_id`` per hit). The statements are built once; SQLAlchemy caches their compiled
form, and the ids travel as one expanding parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, Select, bindparam, func, select

from service.db import Article, Database, Source
from service.db.engine import SINGLE_STATEMENT

_articles = Article.__table__
_sources = Source.__table__
_members = _articles.alias("members")

_SIZE = (
    select(func.count())
    .select_from(_members)
    .where(_members.c.cluster_id == func.coalesce(_articles.c.cluster_id, _articles.c.id))
    .scalar_subquery()
    .label("cluster_size")
)
_COLUMNS = (
    _articles.c.id,
    _articles.c.external_id,
    _articles.c.title,
    _sources.c.name.label("source"),
    _articles.c.author,
    _articles.c.section,
    _articles.c.published_at,
    _articles.c.url,
    _articles.c.cluster_id,
    _SIZE,
)


def _statement(body: bool) -> Select[Any]:
    columns = (*_COLUMNS, _articles.c.body) if body else _COLUMNS
    return (
        select(*columns)
        .select_from(_articles.outerjoin(_sources, _articles.c.source_id == _sources.c.id))
        .where(_articles.c.id.in_(bindparam("ids", expanding=True)))
    )


_WITH_BODY, _WITHOUT_BODY = _statement(body=True), _statement(body=False)


def hit_rows(db: Database, ids: Sequence[int], *, body: bool) -> Sequence[Row[Any]]:
    """One row per stored article among ``ids`` (any order; a deleted one is simply absent): ``id``,
    ``external_id``, ``title``, ``source`` (the outlet's name), ``author``, ``section``,
    ``published_at``, ``url``, ``cluster_id``, ``cluster_size`` and, if asked, ``body``."""
    if not ids:
        return []
    with db.engine.connect() as connection:
        connection.execution_options(**{SINGLE_STATEMENT: True})
        return connection.execute(_WITH_BODY if body else _WITHOUT_BODY, {"ids": list(ids)}).all()


__all__ = ["hit_rows"]
