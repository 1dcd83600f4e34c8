"""The store of record: models, engine and sessions."""

from service.db.engine import Database, get_database
from service.db.models import (
    Article,
    ArticleBand,
    ArticleSignature,
    Base,
    Change,
    IngestRun,
    Source,
    SourceAlias,
    SynonymGroup,
)

__all__ = [
    "Article",
    "ArticleBand",
    "ArticleSignature",
    "Base",
    "Change",
    "Database",
    "IngestRun",
    "Source",
    "SourceAlias",
    "SynonymGroup",
    "get_database",
]
