"""JSON documents (one object, an array of objects, or concatenated objects) and JSON Lines."""

from __future__ import annotations

import codecs
import io
import json
import logging
import re
from collections.abc import Iterator

from service.ingest.formats.dates import parse_date
from service.ingest.formats.encoding import BinaryInput, decode_bytes
from service.ingest.formats.model import ParsedArticle, RecordFailure, add_note, ingest_info
from service.ingest.formats.streams import (
    BUFFER_BYTES,
    ContainerError,
    Limits,
    check_stream,
    human_size,
    iter_lines,
)
from service.ingest.formats.text import guess_language, tidy_inline, tidy_text
from service.ingest.limits import MAX_METADATA_DEPTH, deeper_than

log = logging.getLogger(__name__)

# Field names upstream uses for each article field, in order of preference.
ALIASES: dict[str, tuple[str, ...]] = {
    "external_id": ("id", "_id", "external_id", "article_id", "guid", "uuid", "doc_id", "docid"),
    "url": ("url", "link", "href", "canonical_url", "permalink", "source_url"),
    "title": ("title", "headline", "heading"),
    "body": (
        "body",
        "text",
        "content",
        "article",
        "article_body",
        "articleBody",
        "full_text",
        "fulltext",
        "maintext",
        "main_text",
    ),
    "source": ("source", "site", "sitename", "site_name", "publisher", "outlet", "newspaper", "source_name"),
    "author": ("author", "authors", "byline", "writer", "creator"),
    "section": ("section", "category", "categories", "rubric"),
    "published_at": (
        "published_at",
        "date",
        "published",
        "publishedAt",
        "pubdate",
        "pub_date",
        "date_published",
        "datePublished",
        "publish_date",
        "created_at",
        "timestamp",
        "time",
    ),
    "language": ("language", "lang"),
}
# Where a whole-document object keeps its list of articles ({"articles": [...]}).
CONTAINER_KEYS = ("articles", "items", "records", "data", "results", "documents", "docs", "entries", "posts")
RESERVED_METADATA = ("ingest", "trafilatura", "warc")
MAX_JSON_DEPTH_HINT = "JSON nested too deeply"


class RecordError(ValueError):
    """This record cannot become an article; the message is the failure reason."""


def _type_name(value: object) -> str:
    return {
        dict: "object",
        list: "array",
        str: "string",
        bool: "boolean",
        type(None): "null",
        int: "number",
        float: "number",
    }.get(type(value), type(value).__name__)


def _scalar_text(field: str, value: object, *, allow_list: bool = False, joiner: str = ", ") -> str | None:
    """A string field: strings pass, numbers are harmlessly coerced, lists of strings joined if allowed."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise RecordError(f"field {field!r} must be a string, got a boolean")
    if isinstance(value, int | float):
        return str(value)
    if (
        allow_list
        and isinstance(value, list)
        and all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in value)
    ):
        return joiner.join(str(v) for v in value if str(v).strip()) or None
    if isinstance(value, dict) and allow_list:
        name = value.get("name")
        if isinstance(name, str):
            return name
    raise RecordError(f"field {field!r} must be a string, got {_type_name(value)}")


def record_to_article(record: object, origin: str, fmt: str, encoding: str = "utf-8") -> ParsedArticle:
    """Map one JSON object to an article; raises RecordError with the failure reason."""
    if not isinstance(record, dict):
        raise RecordError(f"record is not a JSON object (got {_type_name(record)})")
    remaining = dict(record)
    found: dict[str, object] = {}
    used_keys: dict[str, str] = {}
    for target, names in ALIASES.items():
        for name in names:
            if name in remaining and remaining[name] not in (None, "", [], {}):
                found[target] = remaining.pop(name)
                used_keys[target] = name
                break

    metadata: dict = {}
    too_deep = []
    for key, value in remaining.items():
        if value is None:
            continue
        if deeper_than(value, MAX_METADATA_DEPTH):  # unknown fields nested deeper are not kept
            too_deep.append(key)
            continue
        metadata[f"json_{key}" if key in RESERVED_METADATA else key] = value
    info = ingest_info(metadata)
    info.update(format=fmt, encoding=encoding)
    for key in too_deep:
        add_note(metadata, f"field {key!r} dropped: nested deeper than {MAX_METADATA_DEPTH} levels")

    raw_id = found.get("external_id")
    if isinstance(raw_id, float) and raw_id.is_integer():
        raw_id = int(raw_id)
    external_id = _scalar_text(used_keys.get("external_id", "id"), raw_id)
    if external_id is not None:
        external_id = external_id.strip() or None

    body_value = found.get("body")
    if isinstance(body_value, list) and all(isinstance(p, str) for p in body_value):
        body_value = "\n".join(body_value)
    if body_value is not None and not isinstance(body_value, str):
        raise RecordError(f"field {used_keys['body']!r} must be a string, got {_type_name(body_value)}")
    body, controls = tidy_text(body_value or "")
    if not body:
        raise RecordError("record has no body")

    title_value = found.get("title")
    if isinstance(title_value, list | dict | bool):
        raise RecordError(f"field {used_keys['title']!r} must be a string, got {_type_name(title_value)}")
    title, title_controls = tidy_inline(_scalar_text("title", title_value) or "")
    controls += title_controls

    url_value = found.get("url")
    if url_value is not None and not isinstance(url_value, str):
        raise RecordError(f"field {used_keys['url']!r} must be a string, got {_type_name(url_value)}")
    url = url_value.strip() or None if isinstance(url_value, str) else None

    def text_field(target: str) -> str | None:
        nonlocal controls
        value = found.get(target)
        if value is None:
            return None
        text = _scalar_text(used_keys[target], value, allow_list=True)
        if text is None:
            return None
        tidied, removed = tidy_inline(text)
        controls += removed
        return tidied or None

    source = text_field("source")
    author = text_field("author")
    section_value = found.get("section")
    if isinstance(section_value, list) and len(section_value) > 1:
        metadata.setdefault("categories", section_value)
        section_value = section_value[0]
        found["section"] = section_value
    section = text_field("section")
    language = text_field("language")

    published_at = None
    if "published_at" in found:
        parsed = parse_date(found["published_at"])
        published_at = parsed.value
        if parsed.note:
            add_note(metadata, parsed.note)
            if parsed.value is None:
                metadata["published_at_raw"] = found["published_at"]
    if controls:
        add_note(metadata, f"{controls} control character(s) removed")

    return ParsedArticle(
        title=title or None,
        body=body,
        url=url,
        external_id=external_id,
        source=source,
        author=author,
        section=section,
        published_at=published_at,
        language=(language.lower() if language else None) or guess_language(body),
        metadata=metadata,
        origin=origin,
    )


def _to_result(record: object, origin: str, fmt: str, encoding: str) -> ParsedArticle | RecordFailure:
    try:
        return record_to_article(record, origin, fmt, encoding)
    except RecordError as exc:
        return RecordFailure(origin, str(exc))
    except RecursionError:
        return RecordFailure(origin, MAX_JSON_DEPTH_HINT)


def _no_constant(name: str) -> None:
    """NaN / Infinity / -Infinity are not JSON; read them as null rather than storing invalid JSON."""


_NOT_SPACE = re.compile(r"[^ \t\r\n\ufeff]")
# strict=False: raw tabs/newlines inside strings (common in scraped JSON) are tolerated
_DECODER = json.JSONDecoder(strict=False, parse_constant=_no_constant)


def _loads(text: str) -> object:
    return _DECODER.decode(text)


def _decode_line(line: bytes, preferred: str | None) -> tuple[str, str]:
    try:
        return line.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if preferred and preferred != "utf-8":
        try:
            return line.decode(preferred), preferred
        except UnicodeDecodeError:
            pass
    decoded = decode_bytes(line)
    return decoded.text, decoded.encoding


def parse_jsonl(
    name: str, stream: io.BufferedReader, limits: Limits
) -> Iterator[ParsedArticle | RecordFailure]:
    """One JSON object per line. A bad line fails alone; a broken container ends the run for this file."""
    preferred: str | None = None
    line_number = 0
    lines = iter_lines(stream, limits)
    while True:
        try:
            item = next(lines, None)
        except ContainerError as exc:
            yield RecordFailure(
                f"{name}:{line_number + 1}", f"{exc}; records from line {line_number + 1} on are lost"
            )
            return
        if item is None:
            return
        line_number, raw = item
        origin = f"{name}:{line_number}"
        if raw is None:
            yield RecordFailure(
                origin, f"record too large (line longer than {human_size(limits.max_record_bytes)})"
            )
            continue
        if line_number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        stripped = raw.strip()
        if not stripped or stripped in (b"[", b"]", b"],", b","):
            continue
        if stripped.endswith(b",") and stripped.startswith(b"{"):
            stripped = stripped[:-1]  # an array written one object per line
        try:
            text, encoding = _decode_line(stripped, preferred)
        except BinaryInput as exc:
            yield RecordFailure(origin, f"line is {exc}")
            continue
        if encoding != "utf-8":
            preferred = encoding
        try:
            record = _loads(text)
        except json.JSONDecodeError as exc:
            yield RecordFailure(origin, f"invalid JSON at line {line_number}: {exc.msg} (column {exc.colno})")
            continue
        except ValueError as exc:  # e.g. an integer literal longer than Python converts
            yield RecordFailure(origin, f"invalid JSON at line {line_number}: {exc}")
            continue
        except RecursionError:
            yield RecordFailure(origin, MAX_JSON_DEPTH_HINT)
            continue
        items = _expand_document(record)
        if items is not None:
            for position, element in enumerate(items, 1):
                yield _to_result(element, f"{origin}#{position}", "jsonl", encoding)
        else:
            yield _to_result(record, origin, "jsonl", encoding)


def _expand_document(value: object) -> list[object] | None:
    """{"articles": [...]} -> the list, if the object is a wrapper rather than an article."""
    if not isinstance(value, dict) or any(name in value for name in ALIASES["body"]):
        return None
    for key in CONTAINER_KEYS:
        items = value.get(key)
        if isinstance(items, list) and items and all(isinstance(item, dict) for item in items):
            return items
    return None


def parse_json_document(
    name: str, stream: io.BufferedReader, head: bytes, limits: Limits
) -> Iterator[ParsedArticle | RecordFailure]:
    """A JSON document: an array of objects (streamed element by element), one object, or several
    concatenated values. Elements are decoded incrementally, never the whole file at once."""
    encoding = "utf-8"
    if not _decodes_as_utf8_prefix(head):
        try:
            encoding = decode_bytes(head).encoding
        except BinaryInput:
            encoding = "utf-8"
    decoder = codecs.getincrementaldecoder(encoding if encoding != "utf-8-sig" else "utf-8-sig")("replace")
    reader = _JsonValues(stream, decoder, limits)
    index = 0
    try:
        for line, value in reader:
            index += 1
            origin = f"{name}:{line}"
            if isinstance(value, RecordFailure):
                yield RecordFailure(origin, value.reason)
                continue
            items = _expand_document(value) if reader.top_level_object else None
            if items is not None:
                for position, item in enumerate(items, 1):
                    yield _to_result(item, f"{name}:{line}#{position}", "json", encoding)
            else:
                yield _to_result(value, origin, "json", encoding)
    except ContainerError as exc:
        yield RecordFailure(f"{name}:{reader.line}", f"{exc}; records from line {reader.line} on are lost")
    if index == 0 and not reader.failed:
        yield RecordFailure(f"{name}", "JSON document holds no records")


def _decodes_as_utf8_prefix(head: bytes) -> bool:
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3  # only a character cut at the end of the sample


class _TooLarge(RecordFailure):
    """A failed value whose end is known, so the document goes on after it."""


class _JsonValues:
    """Iterate (line, value) over the values of a JSON document: the elements of a top-level array, or
    each top-level value. Invalid JSON yields a RecordFailure and ends the iteration (the structure
    cannot be resynchronised)."""

    def __init__(self, stream: io.BufferedReader, decoder: codecs.IncrementalDecoder, limits: Limits) -> None:
        self.stream = stream
        self.decoder = decoder
        self.limits = limits
        self.buffer = ""
        self.pos = 0
        self.eof = False
        self.line = 1
        self.failed = False
        self.top_level_object = False
        self.json = _DECODER

    def _more(self, at_least: int = BUFFER_BYTES) -> bool:
        if self.eof:
            return False
        data = self.stream.read(max(at_least, BUFFER_BYTES))
        if not data:
            check_stream(self.stream)  # raises ContainerError if the input ended early
            self.eof = True
            self.buffer += self.decoder.decode(b"", final=True)
            return False
        if self.pos > BUFFER_BYTES:  # drop what is consumed, keep memory bounded
            self.buffer = self.buffer[self.pos :]
            self.pos = 0
        self.buffer += self.decoder.decode(data)
        return True

    def _skip_ws(self) -> str | None:
        """Advance over whitespace (counting lines); return the next character or None at EOF."""
        while True:
            found = _NOT_SPACE.search(self.buffer, self.pos)  # one scan, not a Python step per character
            stop = found.start() if found else len(self.buffer)
            self.line += self.buffer.count("\n", self.pos, stop)
            self.pos = stop
            if found:
                return found.group()
            if not self._more():
                return None

    def _value(self) -> object:
        """Decode one value at pos, reading more input as needed, within the record size limit."""
        self.limits.count_records()
        while True:
            try:
                value, end = self.json.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as exc:
                pending = len(self.buffer) - self.pos
                if pending > self.limits.max_record_bytes:
                    self.failed = True
                    return RecordFailure(
                        "", f"record too large (over {human_size(self.limits.max_record_bytes)})"
                    )
                if self._more(pending):
                    continue
                self.failed = True
                line = self.line + exc.doc.count("\n", self.pos, exc.pos)
                return RecordFailure(
                    "", f"invalid JSON at line {line}: {exc.msg}; the rest of the document is skipped"
                )
            except ValueError as exc:  # e.g. an integer literal longer than Python converts
                self.failed = True
                return RecordFailure("", f"invalid JSON: {exc}; the rest of the document is skipped")
            except RecursionError:
                self.failed = True
                return RecordFailure("", f"{MAX_JSON_DEPTH_HINT}; the rest of the document is skipped")
            # a number cut by the chunk boundary: decode again with more input
            if end == len(self.buffer) and not self.eof and isinstance(value, int | float) and self._more():
                continue
            self.line_after = self.line + self.buffer.count("\n", self.pos, end)
            size = end - self.pos
            self.pos = end
            if size > self.limits.max_record_bytes:  # its end is known: fail it alone and go on
                return _TooLarge("", f"record too large (over {human_size(self.limits.max_record_bytes)})")
            return value

    def __iter__(self) -> Iterator[tuple[int, object]]:
        first = self._skip_ws()
        if first is None:
            return
        if first != "[":
            self.top_level_object = first == "{"
            while first is not None:
                start = self.line
                value = self._value()
                yield start, value
                if isinstance(value, RecordFailure) and not isinstance(value, _TooLarge):
                    return
                self.line = self.line_after
                first = self._skip_ws()
            return
        self.pos += 1
        expect_value = True
        while True:
            char = self._skip_ws()
            if char is None:
                self.failed = True
                yield self.line, RecordFailure("", "JSON array is not closed (file truncated?)")
                return
            if char == "]":
                return
            if char == "," and not expect_value:
                self.pos += 1
                expect_value = True
                continue
            if not expect_value:
                self.failed = True
                yield self.line, RecordFailure("", f"invalid JSON at line {self.line}: expected ',' or ']'")
                return
            start = self.line
            value = self._value()
            yield start, value
            if isinstance(value, RecordFailure) and not isinstance(value, _TooLarge):
                return
            self.line = self.line_after
            expect_value = False
