"""sources get aliases: other names an outlet goes by, and its domain

A new table ``source_aliases`` (source, alias as written, its comparison key, kind). Every source
filter resolves aliases (``service/sources.py``), so ``--source "سكاي نيوز عربية"`` finds the articles
stored under "Sky News Arabia".

For the sources already stored, the upgrade does what the writer now does for a new one: it adds the
names of the source's ``KNOWN_OUTLETS`` entry ("known"), and gives a source without a domain the host
of one of its articles' URLs, as its domain and as an alias ("domain"). Nothing else changes; the
index is not touched (filters resolve aliases to the stored names the index already holds).

Downgrade drops the table; domains filled in by the upgrade stay (revision 0002 had the column).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from service.sources import MAX_ALIAS_CHARS, domain_of, known_aliases, name_key

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

sources = sa.table(
    "sources", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("domain", sa.String)
)
articles = sa.table(
    "articles", sa.column("id", sa.Integer), sa.column("source_id", sa.Integer), sa.column("url", sa.String)
)
aliases = sa.table(
    "source_aliases",
    sa.column("source_id", sa.Integer),
    sa.column("alias", sa.String),
    sa.column("key", sa.String),
    sa.column("kind", sa.String),
)


def upgrade() -> None:
    op.create_table(
        "source_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_id", "key", name="uq_source_aliases_source_key"),
    )
    with op.batch_alter_table("source_aliases") as batch:
        batch.create_index("ix_source_aliases_source_id", ["source_id"], unique=False)
        batch.create_index("ix_source_aliases_key", ["key"], unique=False)
    _seed(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("source_aliases") as batch:
        batch.drop_index("ix_source_aliases_key")
        batch.drop_index("ix_source_aliases_source_id")
    op.drop_table("source_aliases")


def _seed(bind: sa.Connection) -> None:
    for source in bind.execute(sa.select(sources.c.id, sources.c.name, sources.c.domain)).all():
        domain = source.domain or _domain_of_articles(bind, source.id)
        if domain and not source.domain:
            bind.execute(sa.update(sources).where(sources.c.id == source.id).values(domain=domain))
        rows = [
            {
                "source_id": source.id,
                "alias": alias[:MAX_ALIAS_CHARS],
                "key": name_key(alias)[:MAX_ALIAS_CHARS],
                "kind": kind,
            }
            for alias, kind in known_aliases(source.name, domain)
        ]
        if rows:
            bind.execute(sa.insert(aliases), rows)


def _domain_of_articles(bind: sa.Connection, source_id: int) -> str | None:
    """The host of the source's articles' URLs: the first few that have one decide."""
    urls = bind.scalars(
        sa.select(articles.c.url)
        .where(articles.c.source_id == source_id, articles.c.url.is_not(None))
        .order_by(articles.c.id)
        .limit(20)
    )
    for url in urls:
        domain = domain_of(url)
        if domain:
            return domain
    return None
