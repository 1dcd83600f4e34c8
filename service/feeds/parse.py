"""A fetched feed or sitemap -> its items: RSS and Atom with feedparser, sitemaps (and Google News
sitemaps, and sitemap indexes) with lxml. Anything else is refused with one clear reason."""

from __future__ import annotations

import calendar
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from service.ingest.formats.dates import parse_date
from service.ingest.formats.text import tidy_inline, tidy_lines

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
MAX_ITEMS = 1_000  # items read from one feed or sitemap per poll
MAX_KEY_CHARS = 500  # feed_items.key, articles.external_id
MAX_URL_CHARS = 2_000


class NotAFeed(Exception):
    """The document is neither RSS, Atom nor a sitemap."""


@dataclass
class FeedItem:
    key: str  # guid (RSS), id (Atom), loc (sitemap); the link when there is no id
    link: str | None
    title: str | None = None
    summary: str | None = None  # plain text
    published: datetime | None = None
    marker: str | None = None  # the item's updated date as listed: when it changes, the page is read again
    author: str | None = None
    categories: list[str] = field(default_factory=list)
    source: str | None = None  # a news sitemap's publication name


@dataclass
class ParsedFeed:
    kind: str  # "rss" | "atom" | "sitemap" | "sitemap-index"
    title: str | None
    items: list[FeedItem]
    sitemaps: list[str] = field(default_factory=list)  # a sitemap index's children


def parse_feed(data: bytes, content_type: str = "", url: str = "") -> ParsedFeed:
    """``url``: where the document was read, against which relative links resolve."""
    # lxml and feedparser are imported on first use, like trafilatura: search workers never need them
    from lxml import etree

    root = _xml_root(data)
    if root is not None and etree.QName(root).localname in ("urlset", "sitemapindex"):
        return _sitemap(root)
    return _syndication(data, content_type, url)


def _xml_root(data: bytes) -> Any:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
    try:
        return etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None


def _text(node: Any, path: str) -> str | None:
    found = node.find(path)
    if found is None or found.text is None:
        return None
    return tidy_inline(found.text)[0] or None


def _sitemap(root: Any) -> ParsedFeed:
    from lxml import etree

    ns = {"s": SITEMAP_NS, "n": NEWS_NS}
    if etree.QName(root).localname == "sitemapindex":
        children = [
            loc.strip()
            for loc in root.xpath("s:sitemap/s:loc/text() | sitemap/loc/text()", namespaces=ns)
            if loc.strip()
        ]
        return ParsedFeed("sitemap-index", None, [], children[:MAX_ITEMS])
    items: list[FeedItem] = []
    for url in root.xpath("s:url | url", namespaces=ns)[:MAX_ITEMS]:
        loc = _text(url, f"{{{SITEMAP_NS}}}loc") or _text(url, "loc")
        if not loc:
            continue
        lastmod = _text(url, f"{{{SITEMAP_NS}}}lastmod") or _text(url, "lastmod")
        news = url.find(f"{{{NEWS_NS}}}news")
        item = FeedItem(key=loc[:MAX_KEY_CHARS], link=loc, marker=lastmod)
        if news is not None:
            item.title = _text(news, f"{{{NEWS_NS}}}title")
            item.source = _text(news, f"{{{NEWS_NS}}}publication/{{{NEWS_NS}}}name")
            published = _text(news, f"{{{NEWS_NS}}}publication_date")
            item.published = parse_date(published).value if published else None
            keywords = _text(news, f"{{{NEWS_NS}}}keywords")
            item.categories = [k.strip() for k in (keywords or "").split(",") if k.strip()]
            item.marker = item.marker or published
        if item.published is None and lastmod:
            item.published = parse_date(lastmod).value
        items.append(item)
    return ParsedFeed("sitemap", None, items)


def _syndication(data: bytes, content_type: str, url: str) -> ParsedFeed:
    import feedparser

    headers = {"content-type": content_type or "application/xml", "content-location": url}
    parsed = feedparser.parse(data, response_headers=headers)
    version = parsed.get("version") or ""
    if not version or (parsed.get("bozo") and not parsed.entries):
        reason = parsed.get("bozo_exception")
        detail = f": {str(reason).splitlines()[0][:200]}" if reason else ""
        raise NotAFeed(
            f"not an RSS, Atom or sitemap document{detail} / ليست خلاصة RSS أو Atom ولا خريطة موقع"
        )
    kind = "atom" if version.startswith("atom") else "rss"
    items: list[FeedItem] = []
    for entry in parsed.entries[:MAX_ITEMS]:
        link = entry.get("link") or None
        key = (entry.get("id") or link or "").strip()
        if not key:
            continue
        # dict.get: feedparser's own get maps a missing "updated" to "published", with a warning
        published = _when(entry.get("published_parsed")) or _when(dict.get(entry, "updated_parsed"))
        marker = dict.get(entry, "updated") or entry.get("published")
        items.append(
            FeedItem(
                key=key[:MAX_KEY_CHARS],
                link=link[:MAX_URL_CHARS] if link else None,
                title=tidy_inline(entry.get("title") or "")[0] or None,
                summary=_plain(_summary_html(entry)),
                published=published,
                marker=str(marker)[:100] if marker else None,
                author=tidy_inline(entry.get("author") or "")[0] or None,
                categories=[t["term"] for t in entry.get("tags") or [] if t.get("term")],
            )
        )
    title = tidy_inline(parsed.feed.get("title") or "")[0] or None
    return ParsedFeed(kind, title, items)


def _summary_html(entry: Any) -> str:
    """The item's fullest text: content:encoded / Atom content, else the description / summary."""
    for content in entry.get("content") or []:
        if content.get("value"):
            return str(content["value"])
    return str(entry.get("summary") or "")


def _when(parsed: time.struct_time | None) -> datetime | None:
    """feedparser's dates are UTC struct_times."""
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _plain(html: str) -> str | None:
    """The text of feedparser's (already sanitized) HTML, one paragraph a line."""
    if not html.strip():
        return None
    import lxml.html
    from lxml import etree

    try:
        fragment = lxml.html.fragment_fromstring(html, create_parent="div")
        for block in fragment.iter("p", "br", "div", "li", "h1", "h2", "h3", "h4", "blockquote"):
            block.tail = "\n" + (block.tail or "")
        text = fragment.text_content()
    except (etree.ParserError, ValueError):
        text = html
    lines = tidy_lines(text)
    return "\n".join(lines) or None
