"""A search as an Atom feed (RFC 4287): ``GET /search.atom``, newest matching articles first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from xml.etree import ElementTree as ET

from sqlalchemy import select

from service.db import Article, Database
from service.db.models import utcnow
from service.search.engine import Hit

MEDIA_TYPE = "application/atom+xml; charset=utf-8"
NS = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50


def changed_at(db: Database, ids: Sequence[int]) -> dict[int, datetime]:
    """When the archive last wrote each article: the ``updated`` of an entry whose article has no
    date (the caller asks only for those)."""
    if not ids:
        return {}
    with db.reading() as session:
        rows = session.execute(select(Article.id, Article.updated_at).where(Article.id.in_(list(ids))))
        return {row.id: row.updated_at for row in rows}


def _stamp(value: datetime) -> str:
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{NS}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def search_feed(
    hits: Sequence[Hit],
    changed: dict[int, datetime],
    *,
    query: str,
    self_url: str,
    page_url: str,
    base: str,
) -> bytes:
    ET.register_namespace("", NS)
    feed = ET.Element(f"{{{NS}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "ar"})
    _add(feed, "id", self_url)
    _add(feed, "title", f"أرشيف — نتائج البحث: {query}" if query else "أرشيف — أحدث المقالات")
    _add(feed, "subtitle", "أحدث المقالات المطابقة أولًا")
    entries = []
    for hit in hits:
        when = hit.published_at or changed.get(hit.id) or utcnow()
        entries.append((hit, when))
    _add(feed, "updated", _stamp(max((when for _, when in entries), default=utcnow())))
    _add(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _add(feed, "link", rel="alternate", type="text/html", href=page_url)
    _add(_add(feed, "author"), "name", "أرشيف")
    _add(feed, "generator", "Arshif")
    for hit, when in entries:
        entry = _add(feed, "entry")
        page = f"{base}/articles/{hit.id}"
        _add(entry, "id", page)
        _add(entry, "title", hit.title or "(بلا عنوان)")
        _add(entry, "updated", _stamp(when))
        if hit.published_at:
            _add(entry, "published", _stamp(hit.published_at))
        _add(entry, "link", rel="alternate", type="text/html", href=page)
        if hit.url and hit.url.startswith(("http://", "https://")):
            _add(entry, "link", rel="related", href=hit.url)
        if hit.author or hit.source:
            _add(_add(entry, "author"), "name", hit.author or hit.source)
        if hit.source:
            _add(entry, "category", term=hit.source, label=hit.source)
        if hit.snippet.text:
            _add(entry, "summary", hit.snippet.text, type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
