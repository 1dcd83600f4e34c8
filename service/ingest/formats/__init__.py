"""Input formats for ingestion: bytes in the shapes the web gives -> article records.

    from service.ingest.formats import parse_file, parse_stream, ParsedArticle, RecordFailure

    for item in parse_file(Path("crawl.warc.gz")):
        if isinstance(item, RecordFailure): ...   # origin + one-line reason; the run goes on
        else: ...                                 # a ParsedArticle

Formats (sniffed by content, extension as a hint; gzip/xz/bz2 layers detected by magic bytes):
plain-text scrapes (scrape.py + scrape_rules.toml), HTML pages (html_page.py, trafilatura), JSON and
JSON Lines (json_records.py), WARC (warc.py, warcio). Everything streams; limits in streams.py.
"""

from service.ingest.formats.dispatch import parse_file, parse_stream, sniff
from service.ingest.formats.model import ParsedArticle, RecordFailure
from service.ingest.formats.streams import MAX_DECOMPRESSED_BYTES, MAX_RECORD_BYTES, ContainerError, Limits

__all__ = [
    "MAX_DECOMPRESSED_BYTES",
    "MAX_RECORD_BYTES",
    "ContainerError",
    "Limits",
    "ParsedArticle",
    "RecordFailure",
    "parse_file",
    "parse_stream",
    "sniff",
]
