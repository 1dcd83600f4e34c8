"""Turning one stored article into one tantivy document, through our analyzer.

Documents go to tantivy as JSON, with each text field pre-tokenized (``{"text", "tokens": [...]}``):
every term keeps the position and original character offsets of the word it came from. Serializing
with orjson costs about half of what building ``tantivy.Token`` objects one by one does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from service.analysis import Token, analyze


def _forms(text: str, tokens: list[Token]) -> tuple[dict[str, Any], dict[str, Any]]:
    exact = [{"offset_from": t.start, "offset_to": t.end, "position": t.position, "text": t.exact, "position_length": 1} for t in tokens]
    stem = [{"offset_from": t.start, "offset_to": t.end, "position": t.position, "text": t.stem, "position_length": 1} for t in tokens]
    return {"text": text, "tokens": exact}, {"text": text, "tokens": stem}


def document_json(
    article_id: int,
    title: str | None,
    body: str,
    source: str | None,
    author: str | None,
    section: str | None,
    published_at: datetime | None,
    cluster_id: int | None,
) -> str:
    doc: dict[str, Any] = {"id": article_id, "cluster": cluster_id if cluster_id is not None else article_id}
    for field, text in (("title", title), ("body", body)):
        if text:
            doc[f"{field}_exact"], doc[f"{field}_stem"] = _forms(text, analyze(text))
    for field, value in (("source", source), ("author", author), ("section", section)):
        if value:
            doc[field] = value
    if published_at is not None:
        seconds = int(published_at.timestamp())
        doc.update(published=seconds, day=seconds // 86400, month=published_at.year * 100 + published_at.month)
    return orjson.dumps(doc).decode()
