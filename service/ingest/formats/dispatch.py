"""Sniff what a file is (by content first, extension second) and hand it to the right parser."""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from service.ingest.formats.html_page import parse_html
from service.ingest.formats.json_records import parse_json_document, parse_jsonl
from service.ingest.formats.model import ParsedArticle, RecordFailure
from service.ingest.formats.scrape import parse_scrape
from service.ingest.formats.streams import (
    ContainerError,
    Limits,
    check_stream,
    human_size,
    open_layers,
    read_upto,
    unsupported_kind,
)
from service.ingest.formats.text import not_arabic
from service.ingest.formats.warc import parse_warc

Result = ParsedArticle | RecordFailure

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonlines", ".ldjson")
JSON_SUFFIXES = (".json",)
HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx")
WARC_SUFFIXES = (".warc",)
_HTML_START = re.compile(
    rb"\A(?:\s|<!--.*?-->|<\?xml[^>]*>)*<(?:!doctype\s+html|html|head|body|meta|title|article|div|p|section|main)\b",
    re.IGNORECASE | re.DOTALL,
)
_XML_FEED = re.compile(
    rb"\A(?:\s|<\?xml[^>]*>|<!--.*?-->)*<(?:rss|feed|rdf:rdf|urlset|sitemapindex)\b",
    re.IGNORECASE | re.DOTALL,
)


def sniff(head: bytes, name: str) -> str:
    """ "warc", "jsonl", "json", "html", "text" or "unsupported:<what>" for the decompressed head."""
    lower = name.lower()
    body = head.removeprefix(codecs.BOM_UTF8)
    if body.startswith(b"WARC/") or lower.endswith(WARC_SUFFIXES):
        return "warc"
    what = unsupported_kind(body)
    if what:
        return f"unsupported:{what}"
    stripped = body.lstrip()
    if stripped[:1] in (b"{", b"["):
        if lower.endswith(JSONL_SUFFIXES):
            return "jsonl"
        if stripped[:1] == b"{" and _first_line_is_object(stripped):
            return "jsonl"  # one object per line (a one-line .json document parses the same way)
        return "json"
    if lower.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if lower.endswith(JSON_SUFFIXES):
        return "json"
    if _XML_FEED.match(body):
        return "unsupported:an XML feed or sitemap (not an article page)"
    if _HTML_START.match(body) or lower.endswith(HTML_SUFFIXES):
        return "html"
    return "text"


def _first_line_is_object(data: bytes) -> bool:
    line = data.split(b"\n", 1)[0].strip()
    try:
        return isinstance(json.loads(line), dict)
    except (ValueError, RecursionError):
        return False


def parse_file(path: Path | str, *, limits: Limits | None = None) -> Iterator[Result]:
    """Articles and failures from one file. Never raises for bad input."""
    name = str(path)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed by the with below, also on early stop
    except OSError as exc:
        yield RecordFailure(name, f"cannot open file: {exc.strerror or exc}")
        return
    with handle:
        yield from parse_stream(name, handle, limits=limits)


def parse_stream(name: str, stream: BinaryIO, *, limits: Limits | None = None) -> Iterator[Result]:
    """Articles and failures from a binary stream; ``name`` (a file name) gives the extension hint and is
    used in each record's origin. What is clearly not an article is a failure with its reason: a
    binary or unsupported file (by its magic number or bytes), a record with no or almost no Arabic
    text (``text.not_arabic``) — the one check, for every format, the CLI's and the API's ingest."""
    for result in _parse_stream(name, stream, limits=limits):
        yield refuse_non_article(result)


def refuse_non_article(result: Result) -> Result:
    if isinstance(result, ParsedArticle):
        reason = not_arabic(f"{result.title}\n{result.body}" if result.title else result.body)
        if reason:
            return RecordFailure(result.origin, reason)
    return result


def _parse_stream(name: str, stream: BinaryIO, *, limits: Limits | None = None) -> Iterator[Result]:
    limits = limits or Limits.default()
    try:
        opened = open_layers(name, stream, limits)
    except ContainerError as exc:
        yield RecordFailure(name, str(exc))
        return
    if not opened.head:
        yield RecordFailure(
            name, "empty file" if not opened.compression else "empty file (after decompression)"
        )
        return
    fmt = sniff(opened.head, opened.name)
    if fmt.startswith("unsupported:"):
        yield RecordFailure(name, f"unsupported input: {fmt.split(':', 1)[1]}")
        return
    if fmt == "warc":
        yield from parse_warc(name, opened.stream, limits)
    elif fmt == "jsonl":
        yield from parse_jsonl(name, opened.stream, limits)
    elif fmt == "json":
        yield from parse_json_document(name, opened.stream, opened.head, limits)
    else:
        limits.count_records()
        try:
            data = read_upto(opened.stream, limits.max_record_bytes + 1)
            if len(data) <= limits.max_record_bytes:
                check_stream(opened.stream)
        except ContainerError as exc:
            yield RecordFailure(name, f"{exc}; the file could not be read")
            return
        if len(data) > limits.max_record_bytes:
            yield RecordFailure(name, f"record too large (over {human_size(limits.max_record_bytes)})")
            return
        if fmt == "html":
            yield parse_html(data, name)
        else:
            yield parse_scrape(data, name)
