"""Turning one stored article into one tantivy document, through our analyzer.

Measured on news articles: building ``tantivy.Token`` objects and ``add_document`` costs about half
of what serializing the same pre-tokenized text to JSON for ``add_json`` does (tantivy's JSON path
parses every token object again).
"""

from __future__ import annotations

from datetime import datetime

import tantivy

from service.analysis import Token, analyze

PHRASE_GAP = 100


def pre_tokenized(
    text: str, tokens: list[Token]
) -> tuple[tantivy.PreTokenizedString, tantivy.PreTokenizedString]:
    """Both term forms of one text; every term keeps the offsets of the original word it came from."""
    exact = [tantivy.Token(t.exact, t.position, t.start, t.end) for t in tokens]
    stem = [tantivy.Token(t.stem, t.position, t.start, t.end) for t in tokens]
    return tantivy.PreTokenizedString(text, exact), tantivy.PreTokenizedString(text, stem)


def whole_text(title: str, title_tokens: list[Token], body: str) -> tuple[str, list[Token]]:
    """Title and body as one text; the body's positions start ``PHRASE_GAP`` after the title's, so
    a phrase never runs from the end of the title into the body."""
    if not title_tokens:
        return body, analyze(body)
    shift, first = len(title) + 1, title_tokens[-1].position + PHRASE_GAP
    body_tokens = [
        t._replace(start=t.start + shift, end=t.end + shift, position=t.position + first)
        for t in analyze(body)
    ]
    return f"{title}\n{body}", title_tokens + body_tokens


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
    title_text = title or ""
    title_tokens = analyze(title_text) if title_text else []
    if title_tokens:
        exact, stem = pre_tokenized(title_text, title_tokens)
        doc.add_pre_tokenized_text("title_exact", exact)
        doc.add_pre_tokenized_text("title_stem", stem)
    text, tokens = whole_text(title_text, title_tokens, body)
    if tokens:
        exact, stem = pre_tokenized(text, tokens)
        doc.add_pre_tokenized_text("text_exact", exact)
        doc.add_pre_tokenized_text("text_stem", stem)
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
