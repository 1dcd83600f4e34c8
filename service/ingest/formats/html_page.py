"""HTML pages: main text and metadata with trafilatura, a plain fallback when it finds nothing."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit

from service.ingest.formats.dates import parse_date
from service.ingest.formats.encoding import BinaryInput, charset_from_html, decode_bytes
from service.ingest.formats.model import ParsedArticle, RecordFailure, add_note, ingest_info
from service.ingest.formats.scrape import ScrapeResult, ScrapeRules, record_cleaning
from service.ingest.formats.text import guess_language, strip_controls, tidy_inline, tidy_lines

log = logging.getLogger(__name__)

# htmldate settings: keep the time and the timezone when the page states them.
DATE_PARAMS = {"extensive_search": True, "original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}
TITLE_TAG = re.compile(r"<title[^>]{0,200}>(.{0,2000}?)</title\s*>", re.IGNORECASE | re.DOTALL)
YEAR_ONLY = re.compile(r"\d{4}-01-01(?:T00:00:00)?")
# Elements never part of the text (trafilatura already drops script and style; noscript it keeps).
PRUNE_XPATH = ["//noscript", "//template", "//script", "//style"]
# trafilatura fields kept in metadata["trafilatura"] (filedate is the extraction day: not kept, it would
# make re-ingesting the same page look like a change).
KEPT_FIELDS = (
    "title",
    "author",
    "url",
    "hostname",
    "description",
    "sitename",
    "date",
    "categories",
    "tags",
    "license",
    "image",
    "pagetype",
    "id",
    "language",
)


def parse_html(
    data: bytes,
    origin: str,
    *,
    declared_charset: str | None = None,
    url: str | None = None,
    fallback_date: datetime | None = None,
    fallback_date_source: str | None = None,
    rules: ScrapeRules | None = None,
) -> ParsedArticle | RecordFailure:
    """One HTML page -> an article. ``declared_charset`` comes from the HTTP Content-Type header."""
    rules = rules or ScrapeRules.load()
    declared = declared_charset or charset_from_html(data)
    try:
        decoded = decode_bytes(data, declared)
    except BinaryInput as exc:
        return RecordFailure(origin, f"{exc}")
    html, controls = strip_controls(decoded.text)
    if not html.strip():
        return RecordFailure(origin, "empty HTML page")

    metadata: dict = {}
    info = ingest_info(metadata)
    info.update(format="html", encoding=decoded.encoding)
    if declared:
        info["declared_charset"] = declared
    for note in decoded.notes:
        add_note(metadata, note)
    if controls:
        add_note(metadata, f"{controls} control character(s) removed")

    # Imported on first use: trafilatura and lxml add ~37 MB to every search worker that never sees HTML.
    import trafilatura

    document = None
    try:
        document = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            date_extraction_params=DATE_PARAMS,
            prune_xpath=PRUNE_XPATH,
        )
    except Exception as exc:  # noqa: BLE001 - third-party code on hostile input: contain it to this record
        log.warning("trafilatura failed on %s: %r", origin, exc)
        add_note(metadata, f"trafilatura failed ({type(exc).__name__}); plain extraction used")

    fields = {}
    if document is not None:
        for name in KEPT_FIELDS:
            value = getattr(document, name, None)
            if value not in (None, "", [], {}):
                fields[name] = value
        metadata["trafilatura"] = fields
    text = getattr(document, "text", None) if document is not None else None
    plain: list[_PlainText] = []

    def fallback() -> _PlainText:  # the plain extraction, only when it is needed
        if not plain:
            plain.append(_PlainText.extract(html))
        return plain[0]

    if not text or not text.strip():
        text = fallback().text
        info["extractor"] = "plain"
    else:
        info["extractor"] = "trafilatura"

    raw_title = fields.get("title") or fallback().title
    title = tidy_inline(raw_title)[0] if raw_title else None
    sitename = tidy_inline(fields["sitename"])[0] if fields.get("sitename") else None
    site_name = None
    if title:
        title, site_name = rules.strip_title_suffix(title, site_hint=sitename)
        if not site_name and not sitename:
            # trafilatura may have cut "Headline | Site" itself: look at the page's own <title>
            page_title = _page_title(html)
            if page_title and page_title != title:
                stripped, site_name = rules.strip_title_suffix(page_title)
                if stripped != title:
                    site_name = None
        if site_name:
            metadata["site_name"] = site_name

    lines = tidy_lines(text)
    result = ScrapeResult(title=title, site_name=site_name or sitename)
    titles = {t for t in (title, raw_title and tidy_inline(raw_title)[0]) if t}
    start = rules.consume_head(lines, 0, result, titles) if len(lines) > 1 else 0
    lines = rules.clean_body(lines[start:], result)
    record_cleaning(result, info, metadata)
    if not lines:
        return RecordFailure(origin, "record has no body (no main text found in the HTML page)")
    body = "\n".join(lines)

    page_url = fields.get("url") or url
    hostname = fields.get("hostname") or (urlsplit(page_url).hostname if page_url else None)
    published_at = None
    raw_date = fields.get("date")
    if raw_date and YEAR_ONLY.fullmatch(raw_date):
        # htmldate's extensive search turns a lone year (often the copyright line) into January 1st
        add_note(metadata, f"page date {raw_date} looks like a bare year; not used")
    elif raw_date:
        parsed = parse_date(raw_date)
        published_at = parsed.value
        if parsed.note:
            add_note(metadata, parsed.note)
    if published_at is None and result.published_at is not None:
        published_at = result.published_at  # a date line at the top or bottom of the text
    if published_at is None and fallback_date is not None:
        published_at = fallback_date
        info["published_at_from"] = fallback_date_source or "fallback"
    for note in result.notes:
        add_note(metadata, note)

    categories = fields.get("categories") or []
    author = fields.get("author") or result.author
    if result.section and not categories:
        categories = [result.section]
    return ParsedArticle(
        title=title or None,
        body=body,
        url=url or page_url,
        source=sitename or result.source or site_name or hostname,
        author=tidy_inline(author)[0] or None if author else None,
        section=tidy_inline(categories[0])[0] or None if categories else None,
        published_at=published_at,
        language=guess_language(body)
        or _language_code(fields.get("language"))
        or _language_code(fallback().lang),
        metadata=metadata,
        origin=origin,
    )


def _page_title(html: str) -> str | None:
    match = TITLE_TAG.search(html, 0, 65536)
    return tidy_inline(unescape(match.group(1)))[0] or None if match else None


def _language_code(value: str | None) -> str | None:
    """ "ar-SA" -> "ar"."""
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if code.isalpha() and 2 <= len(code) <= 3 else None


class _PlainText(HTMLParser):
    """Visible text of a page by blocks, without script/style/navigation; title and <html lang>."""

    SKIP = frozenset(
        {
            "script",
            "style",
            "noscript",
            "template",
            "svg",
            "head",
            "nav",
            "footer",
            "header",
            "aside",
            "form",
            "iframe",
            "object",
            "button",
            "select",
            "textarea",
        }
    )
    BLOCKS = frozenset(
        {
            "p",
            "div",
            "br",
            "li",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "article",
            "section",
            "blockquote",
            "tr",
            "td",
            "th",
            "pre",
            "dd",
            "dt",
            "figcaption",
            "main",
            "ul",
            "ol",
            "table",
            "hr",
        }
    )
    VOID = frozenset(
        {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source", "track", "wbr"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.in_title = False
        self.title_parts: list[str] = []
        self.lang: str | None = None

    @classmethod
    def extract(cls, html: str) -> _PlainText:
        parser = cls()
        try:
            parser.feed(html)
            parser.close()
        except Exception as exc:  # noqa: BLE001 - html.parser is lenient, but never let a page crash the run
            log.debug("plain HTML extraction stopped: %r", exc)
        return parser

    @property
    def text(self) -> str:
        return "".join(self.parts)

    @property
    def title(self) -> str | None:
        title = " ".join("".join(self.title_parts).split())
        return title or None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html" and self.lang is None:
            self.lang = dict(attrs).get("lang")
        if tag == "body":
            self.skip_depth = 0  # an unclosed <head> (or other skipped element) ends where the body starts
        if tag == "title":
            self.in_title = True
        if tag in self.SKIP and tag not in self.VOID:
            self.skip_depth += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in self.SKIP and self.skip_depth:
            self.skip_depth -= 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)
        elif not self.skip_depth:
            self.parts.append(data)
