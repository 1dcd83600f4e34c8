"""Alembic, driven from code so the CLI, the app's readiness check and the tests agree on one setup."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

_PACKAGE = Path(__file__).resolve().parents[1]
# A wheel carries migrations/ inside the package (pyproject.toml, force-include: site-packages has no
# project top); a source checkout keeps it at the top, where Alembic users look for it.
MIGRATIONS_DIR = next(
    (d for d in (_PACKAGE / "migrations", _PACKAGE.parent / "migrations") if (d / "env.py").is_file()),
    _PACKAGE.parent / "migrations",
)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def head_revision(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_at_head(engine: Engine, url: str) -> bool:
    return current_revision(engine) == head_revision(url)
