"""WARC files: each HTML response (status 200) becomes an article through the HTML parser."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

from warcio.archiveiterator import ArchiveIterator
from warcio.limitreader import LimitReader
from warcio.recordloader import ArcWarcRecord

from service.ingest.budget import IngestStopped
from service.ingest.formats.dates import parse_date
from service.ingest.formats.encoding import charset_from_content_type
from service.ingest.formats.html_page import parse_html
from service.ingest.formats.model import ParsedArticle, RecordFailure, ingest_info
from service.ingest.formats.streams import (
    BUFFER_BYTES,
    ContainerError,
    Limits,
    check_stream,
    human_size,
    read_upto,
)

log = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def _looks_like_html(head: bytes) -> bool:
    sample = head[:2048].lstrip().lower()
    return sample.startswith((b"<!doctype html", b"<html")) or b"<html" in sample[:512]


class _Counting:
    """Counts the bytes warcio reads, so bytes left unparsed at the end can be noticed."""

    def __init__(self, inner: io.BufferedReader) -> None:
        self.inner = inner
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self.inner.read(size)
        self.count += len(data)
        return data

    def tell(self) -> int:
        return self.count


def _truncated(record: ArcWarcRecord) -> int:
    """Bytes missing from a record whose Content-Length promised more than the file holds."""
    raw = record.raw_stream
    while raw.read(BUFFER_BYTES):
        pass
    return raw.limit if isinstance(raw, LimitReader) else 0


def _lost(record: ArcWarcRecord) -> str | None:
    """Why a record is incomplete (the file was cut inside it), or None."""
    length = (record.rec_headers.get_header("Content-Length") or "").strip()
    if not length.isdigit():
        return "WARC record header is incomplete (no valid Content-Length): the file is truncated or corrupt"
    missing = _truncated(record)
    if missing:
        return f"WARC record truncated: {missing} byte(s) of its content are missing"
    return None


def parse_warc(
    name: str, stream: io.BufferedReader, limits: Limits
) -> Iterator[ParsedArticle | RecordFailure]:
    index = 0
    counted = _Counting(stream)
    try:
        iterator = ArchiveIterator(counted)
        for record in iterator:
            index += 1
            limits.count_records()
            origin = f"{name}#record-{index}"
            try:
                result = _record(record, origin, limits)
                # any record, even one skipped as non-HTML, tells whether the file was cut short
                lost = _lost(record)
                if lost:
                    result = RecordFailure(origin, lost)
            except (ContainerError, IngestStopped):
                raise
            except Exception as exc:  # a malformed record (bad chunking, bad headers ...): fail it alone
                log.debug("WARC record %s failed", origin, exc_info=True)
                result = RecordFailure(origin, f"unreadable WARC record: {type(exc).__name__}: {exc}")
            if result is not None:
                yield result
        check_stream(stream)  # the data ended: really, or because the container broke?
        leftover = counted.count - iterator.offset
        if index and leftover > 0:  # warcio stops quietly at a record header cut short
            yield RecordFailure(
                f"{name}#record-{index + 1}",
                f"{leftover} byte(s) after record {index} are not a complete WARC record "
                "(file truncated or corrupt)",
            )
            return
    except ContainerError as exc:
        yield RecordFailure(f"{name}#record-{index + 1}", f"{exc}; records from here on are lost")
        return
    except IngestStopped:
        raise  # the request's budget is spent: not this file's fault, and it ends the whole request
    except Exception as exc:  # noqa: BLE001 - warcio raises assorted errors on a broken container
        yield RecordFailure(
            f"{name}#record-{index + 1}",
            f"broken WARC container after {index} record(s): {type(exc).__name__}: {str(exc).strip()[:200]}",
        )
        return
    if index == 0:
        yield RecordFailure(name, "WARC file holds no records")


def _record(record: ArcWarcRecord, origin: str, limits: Limits) -> ParsedArticle | RecordFailure | None:
    if record.rec_type == "response":
        http = record.http_headers
        if http is None:
            return None
        status = http.get_statuscode()
        if status != "200":
            return None
        content_type = http.get_header("Content-Type")
    elif record.rec_type == "resource":
        content_type = record.rec_headers.get_header("Content-Type")
    else:
        return None
    media_type = _media_type(content_type)
    if media_type and media_type not in HTML_TYPES:
        return None

    payload = read_upto(record.content_stream(), limits.max_record_bytes + 1)
    if len(payload) > limits.max_record_bytes:
        return RecordFailure(origin, f"record too large (over {human_size(limits.max_record_bytes)})")
    missing = _truncated(record)
    if missing:
        return RecordFailure(origin, f"WARC record truncated: {missing} byte(s) of its content are missing")
    if not media_type and not _looks_like_html(payload):
        return None

    warc_date = record.rec_headers.get_header("WARC-Date")
    fallback = parse_date(warc_date).value if warc_date else None
    url = record.rec_headers.get_header("WARC-Target-URI")
    result = parse_html(
        payload,
        origin,
        declared_charset=charset_from_content_type(content_type),
        url=url,
        fallback_date=fallback,
        fallback_date_source="WARC-Date",
    )
    if isinstance(result, ParsedArticle):
        info = ingest_info(result.metadata)
        info["format"] = "warc"
        result.metadata["warc"] = {
            key: value
            for key, value in {
                "record_id": record.rec_headers.get_header("WARC-Record-ID"),
                "date": warc_date,
                "target_uri": url,
                "content_type": content_type,
                "record_type": record.rec_type,
            }.items()
            if value
        }
    return result
