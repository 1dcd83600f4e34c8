"""Byte streams: sniffing, transparent decompression with size guards, bounded reads.

Nothing here reads a whole file into memory: compressed input is decompressed as it is read, lines are
read one at a time, and every read is capped (per file and per record) against decompression bombs.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, BinaryIO, Protocol, TypeAlias

from service.ingest.budget import IngestBudget

# Decompressed bytes allowed per input file (guards against decompression bombs).
MAX_DECOMPRESSED_BYTES = 2 * 1024**3
# Bytes allowed for one record (a JSON line, an HTML page, a text scrape, a WARC payload).
MAX_RECORD_BYTES = 50 * 1024**2
HEAD_BYTES = 64 * 1024
BUFFER_BYTES = 1024 * 1024

COMPRESSION_MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"BZh", "bz2"),
)
COMPRESSION_SUFFIXES = {"gzip": (".gz", ".gzip", ".tgz"), "xz": (".xz", ".txz"), "bz2": (".bz2", ".tbz2")}
UNSUPPORTED_MAGIC = (
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data (decompress it first)"),
    (b"PK\x03\x04", "a ZIP archive (unpack it first)"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive (unpack it first)"),
    (b"Rar!\x1a\x07", "a RAR archive (unpack it first)"),
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x7fELF", "an executable"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a Microsoft Office document (save it as HTML or text)"),
    (b"%!PS", "a PostScript document"),
    (b"RIFF", "audio or video (RIFF)"),
    (b"ID3", "an MP3 audio file"),
    (b"OggS", "an Ogg audio or video file"),
    (b"\x1aE\xdf\xa3", "a Matroska/WebM video"),
    (b"wOFF", "a web font"),
    (b"\x00\x00\x01\x00", "an icon image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
)


@dataclass(frozen=True)
class Limits:
    max_decompressed_bytes: int = MAX_DECOMPRESSED_BYTES
    max_record_bytes: int = MAX_RECORD_BYTES
    budget: IngestBudget | None = None  # one request's caps across all its inputs (the API sets one)

    @classmethod
    def default(cls, budget: IngestBudget | None = None) -> Limits:
        # read the module constants at call time, so they can be changed at runtime
        return cls(MAX_DECOMPRESSED_BYTES, MAX_RECORD_BYTES, budget)

    def count_records(self, n: int = 1) -> None:
        """Charge the budget for ``n`` lines or records read (blank ones too: skipping them is work)."""
        if self.budget is not None:
            self.budget.charge(records=n)


class WriteableBuffer(Protocol):
    """What ``readinto`` fills: the buffer protocol, as typeshed's ``_typeshed.WriteableBuffer``
    (``collections.abc.Buffer`` from Python 3.12 on). Restated here: ``_typeshed`` exists only for type
    checkers, and service/ imports nothing but the standard library and its declared packages."""

    def __buffer__(self, flags: int, /) -> memoryview: ...


class ContainerError(Exception):
    """The container is broken (truncated or corrupt compressed data, too much data, I/O error);
    whatever was not read yet is lost. Deliberately not an EOFError: warcio swallows those."""


def human_size(n: int) -> str:
    size: float = n
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:g} {unit}" if unit != "bytes" else f"{n} bytes"
        size /= 1024
    return f"{size} bytes"  # pragma: no cover


class _ErrorBox:
    """The first error met by any layer of one input. Layers report it as an early end of data (so the
    buffered reader above hands out every byte that was decoded before it), and the reader raises it
    when the consumer reaches that end (Stream.check)."""

    def __init__(self) -> None:
        self.error: ContainerError | None = None

    def set(self, error: ContainerError) -> int:
        if self.error is None:
            self.error = error
        return 0


class _Chain(io.RawIOBase):
    """``head`` bytes already read, then the rest of ``inner``; I/O errors are boxed."""

    def __init__(self, head: bytes, inner: IO[bytes] | io.RawIOBase, label: str, box: _ErrorBox) -> None:
        self._head = memoryview(head)
        self._inner = inner
        self._label = label
        self._box = box

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        if self._head:
            n = min(len(view), len(self._head))
            view[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        if self._box.error is not None:
            return 0
        try:
            data = self._inner.read(len(view))
        except (OSError, ValueError, EOFError, lzma.LZMAError, zlib.error) as exc:
            return self._box.set(ContainerError(f"cannot read {self._label}: {exc}"))
        if not data:
            return 0
        n = len(data)
        view[:n] = data
        return n


Decompressor: TypeAlias = gzip.GzipFile | lzma.LZMAFile | bz2.BZ2File


class _Decompressing(io.RawIOBase):
    """Decompressed bytes of ``decompressor``, counted against a cap; decoder errors are boxed."""

    def __init__(self, decompressor: Decompressor, kind: str, limit: int, box: _ErrorBox) -> None:
        self._dec = decompressor
        self._kind = kind
        self._limit = limit
        self._box = box
        self.total = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._box.error is not None:
            return b""
        try:
            data = self._dec.read1(size if size and size > 0 else BUFFER_BYTES)
        except EOFError:
            self._box.set(ContainerError(f"{self._kind} data is truncated (compressed stream ends early)"))
            return b""
        except (lzma.LZMAError, zlib.error, OSError, ValueError) as exc:
            self._box.set(ContainerError(f"corrupt or truncated {self._kind} data: {exc}"))
            return b""
        self.total += len(data)
        if self.total > self._limit:
            self._box.set(
                ContainerError(
                    f"decompressed size exceeds the limit of {human_size(self._limit)} (possible decompression bomb)"
                )
            )
            return b""
        return data

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        n = len(data)
        view[:n] = data
        return n


class _Budgeted(io.RawIOBase):
    """The final decompressed bytes, charged to the request's budget as they are read. Its stop
    (IngestStopped) is not boxed: it ends the whole request, not just this input."""

    def __init__(self, inner: io.RawIOBase, budget: IngestBudget) -> None:
        self._inner = inner
        self._budget = budget

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        n = self._inner.readinto(buffer) or 0
        self._budget.charge(nbytes=n)
        return n


class Stream(io.BufferedReader):
    """The decompressed input. At an end of data, call ``check()``: it raises the ContainerError that
    ended the data early, if one did (a truncated .xz, an I/O error, the decompression cap)."""

    box: _ErrorBox

    def check(self) -> None:
        if self.box.error is not None:
            raise self.box.error


def check_stream(stream: io.IOBase) -> None:
    check = getattr(stream, "check", None)
    if check is not None:
        check()


def read_upto(stream: IO[bytes] | io.RawIOBase, n: int) -> bytes:
    """Read up to n bytes, looping over short reads, stopping only at EOF."""
    chunks = []
    remaining = n
    while remaining > 0:
        chunk = stream.read(min(remaining, BUFFER_BYTES))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def compression_of(head: bytes) -> str | None:
    for magic, kind in COMPRESSION_MAGIC:
        if head.startswith(magic):
            if kind == "bz2" and not (len(head) > 3 and head[3:4].isdigit()):
                continue
            return kind
    return None


def unsupported_kind(head: bytes) -> str | None:
    for magic, what in UNSUPPORTED_MAGIC:
        if head.startswith(magic):
            return what
    return None


def strip_compression_suffix(name: str, kind: str) -> str:
    """ "a.jsonl.xz" -> "a.jsonl"; "a.tgz" -> "a.tar"."""
    lower = name.lower()
    for suffix in COMPRESSION_SUFFIXES[kind]:
        if lower.endswith(suffix):
            return name[: -len(suffix)] + (".tar" if suffix.startswith(".t") else "")
    return name


@dataclass
class Opened:
    stream: Stream  # decompressed bytes, starting at the beginning
    head: bytes  # first HEAD_BYTES of ``stream`` (already contained in it)
    name: str  # name with compression suffixes removed, for extension hints
    compression: list[str]


def open_layers(name: str, stream: BinaryIO, limits: Limits, max_layers: int = 2) -> Opened:
    """Peel off up to ``max_layers`` of gzip/xz/bz2 (detected by magic bytes) and return the inner stream
    with its first bytes. Raises ContainerError if not even the first bytes can be read."""
    box = _ErrorBox()
    layers: list[str] = []
    raw: io.RawIOBase = _Chain(b"", stream, "input", box)
    while True:
        head = read_upto(raw, HEAD_BYTES)
        if box.error is not None and not head:
            raise box.error
        kind = compression_of(head)
        chained = _Chain(head, raw, "input" if not layers else f"{layers[-1]} data", box)
        if kind is None or len(layers) >= max_layers:
            if limits.budget is not None:
                limits.budget.input = name
            reader = Stream(_Budgeted(chained, limits.budget) if limits.budget else chained, BUFFER_BYTES)
            reader.box = box
            return Opened(reader, head, name, layers)
        inner = io.BufferedReader(chained, BUFFER_BYTES)
        decompressor: Decompressor
        if kind == "gzip":
            decompressor = gzip.GzipFile(fileobj=inner, mode="rb")
        elif kind == "xz":
            decompressor = lzma.LZMAFile(inner)  # noqa: SIM115 - lives as long as the returned stream
        else:
            decompressor = bz2.BZ2File(inner)
        raw = _Decompressing(decompressor, kind, limits.max_decompressed_bytes, box)
        layers.append(kind)
        name = strip_compression_suffix(name, kind)


_NOT_SPACE = re.compile(rb"[^ \t\n\r\x0b\x0c]")
_SPACE = frozenset(b" \t\n\r\x0b\x0c")


def iter_lines(stream: io.BufferedReader, limits: Limits) -> Iterator[tuple[int, bytes | None]]:
    """Yield (line_number, bytes_or_None) for each line; None means the line was longer than
    ``limits.max_record_bytes`` (it is skipped without being held in memory). Line endings are stripped.
    Lines holding only whitespace are counted but not yielded, and a run of them is skipped a buffer at
    a time (a flood of blank lines costs no Python step per line). Every line is charged to the budget.
    Raises ContainerError where the input ends early (a partial last line is not yielded then)."""
    max_bytes = limits.max_record_bytes
    number = 0
    parts: list[bytes] = []  # the start of a line that goes on in the next chunk
    held = 0
    overlong = False  # the current line is already too long: the rest of it is dropped
    while True:
        chunk = stream.read1(BUFFER_BYTES)
        if not chunk:
            check_stream(stream)
            if overlong or parts:  # a last line without a line ending
                number += 1
                limits.count_records()
                last = b"".join(parts).rstrip(b"\r\n")
                if overlong or last.strip():
                    yield number, None if overlong else last
            return
        pos, size = 0, len(chunk)
        while pos < size:
            if not parts and not overlong and chunk[pos] in _SPACE:
                found = _NOT_SPACE.search(chunk, pos)
                stop = found.start() if found else size
                newline = chunk.rfind(b"\n", pos, stop)
                if newline >= 0:  # whole blank lines
                    blank = chunk.count(b"\n", pos, newline + 1)
                    number += blank
                    limits.count_records(blank)
                    pos = newline + 1
                    continue
            end = chunk.find(b"\n", pos)
            if end < 0:
                if not overlong:
                    held += size - pos
                    if held > max_bytes:
                        overlong, held = True, 0
                        parts.clear()
                    else:
                        parts.append(chunk[pos:])
                break
            piece = chunk[pos:end]
            pos = end + 1
            number += 1
            limits.count_records()
            if overlong or held + len(piece) > max_bytes:
                overlong, held = False, 0
                parts.clear()
                yield number, None
                continue
            line = (b"".join(parts) + piece) if parts else piece
            parts.clear()
            held = 0
            line = line.rstrip(b"\r")
            if line.strip():
                yield number, line
