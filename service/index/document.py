"""Turning one stored article into one tantivy document, through our analyzer.

Each text form goes to tantivy as one string of terms joined by spaces (``schema.TERMS_TOKENIZER``
splits it again): no Python object per word. The whole-article fields take the title and the body as
two values; tantivy leaves a position free between the values of a field, so a phrase never runs from
the end of the title into the body, and BM25 counts both values' words as the field's length.
"""

from __future__ import annotations

from datetime import datetime

import tantivy

from service.analysis import index_terms


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
    for part, fields in ((title, ("title", "text")), (body, ("text",))):
        exact, stem = index_terms(part) if part else ("", "")
        if exact:
            for field in fields:
                doc.add_text(f"{field}_exact", exact)
                doc.add_text(f"{field}_stem", stem)
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
