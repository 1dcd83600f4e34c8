"""The two things every parser yields: an article, or a failure for one record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class ParsedArticle:
    title: str | None
    body: str  # text as published: whitespace tidied, nothing else (no Arabic normalization)
    url: str | None = None
    external_id: str | None = None  # upstream id (JSON "id"), as str
    source: str | None = None  # outlet name
    author: str | None = None
    section: str | None = None
    published_at: datetime | None = None  # timezone-aware UTC when known
    language: str | None = None
    metadata: dict = field(default_factory=dict)
    origin: str = ""  # "file.jsonl:17", "crawl.warc.gz#record-3", "seed.txt"


@dataclass
class RecordFailure:
    origin: str  # file and record (line number / WARC record index)
    reason: str  # one clear line

    MAX_REASON_CHARS = 300

    def __post_init__(self) -> None:
        reason = " ".join(str(self.reason).split())  # one line, whatever the exception text was
        if len(reason) > self.MAX_REASON_CHARS:
            reason = reason[: self.MAX_REASON_CHARS - 1] + "…"
        self.reason = reason


def ingest_info(metadata: dict) -> dict:
    """The parser's own bookkeeping inside ``metadata`` (format, encoding, notes)."""
    return metadata.setdefault("ingest", {})


def add_note(metadata: dict, note: str) -> None:
    notes = ingest_info(metadata).setdefault("notes", [])
    if note not in notes:
        notes.append(note)
