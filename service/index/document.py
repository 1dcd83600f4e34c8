"""Turning one stored article into one tantivy document, through our analyzer.

Measured on news articles: building ``tantivy.Token`` objects and ``add_document`` costs about half
of what serializing the same pre-tokenized text to JSON for ``add_json`` does (tantivy's JSON path
parses every token object again).
"""

from __future__ import annotations

from datetime import datetime

import tantivy

from service.analysis import Token, analyze


def pre_tokenized(text: str, tokens: list[Token]) -> tuple[tantivy.PreTokenizedString, tantivy.PreTokenizedString]:
    """Both term forms of one text; every term keeps the offsets of the original word it came from."""
    exact = [tantivy.Token(t.exact, t.position, t.start, t.end) for t in tokens]
    stem = [tantivy.Token(t.stem, t.position, t.start, t.end) for t in tokens]
    return tantivy.PreTokenizedString(text, exact), tantivy.PreTokenizedString(text, stem)


def build_document(
    article_id: int,
    title: str | None,
    body: str,
    source: str | None,
    author: str | None,
    section: str | None,
    published_at: datetime | None,
    cluster_id: int | None,
) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_integer("id", article_id)
    for field, text in (("title", title), ("body", body)):
        if text:
            exact, stem = pre_tokenized(text, analyze(text))
            doc.add_pre_tokenized_text(f"{field}_exact", exact)
            doc.add_pre_tokenized_text(f"{field}_stem", stem)
    for field, value in (("source", source), ("author", author), ("section", section)):
        if value:
            doc.add_text(field, value)
    if published_at is not None:
        seconds = int(published_at.timestamp())
        doc.add_integer("published", seconds)
        doc.add_integer("day", seconds // 86400)
        doc.add_integer("month", published_at.year * 100 + published_at.month)
    doc.add_integer("cluster", cluster_id if cluster_id is not None else article_id)
    return doc
