"""``arshif ingest``: walk the inputs, stream them through the parsers, show progress, summarize."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol, cast

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from service.archive import Archive
from service.errors import UsageError
from service.ingest.formats import ParsedArticle, RecordFailure, parse_stream
from service.ingest.formats.streams import WriteableBuffer
from service.ingest.pipeline import IngestSummary, background_indexer, ingest
from service.ingest.reader import read_in_background, worth_a_reader


class ReadsInto(Protocol):
    """A binary file read into a caller's buffer (an open file, standard input's buffer)."""

    def readinto(self, buffer: WriteableBuffer, /) -> int | None: ...


class CountingReader(io.RawIOBase):
    """Counts bytes as the parsers read them, so the bar can show MB/s and an ETA for any format."""

    def __init__(self, raw: ReadsInto, on_bytes: Callable[[int], None]) -> None:
        self.raw, self.on_bytes = raw, on_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        n = self.raw.readinto(buffer)
        if n:
            self.on_bytes(n)
        return n or 0


def expand(paths: list[str]) -> list[Path | str]:
    """Files as given, directories walked recursively in name order, '-' for standard input."""
    found: list[Path | str] = []
    for raw in paths:
        if raw == "-":
            found.append("-")
            continue
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")))
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"لا يوجد ملف أو مجلد بهذا الاسم: {raw}", f"no such file or directory: {raw}")
    return found


def records(
    inputs: list[Path | str], on_bytes: Callable[[int], None]
) -> Iterator[ParsedArticle | RecordFailure]:
    for item in inputs:
        if item == "-":
            # typeshed's BinaryIO (the type of sys.stdin.buffer) declares no readinto; the object has one
            stdin = cast(ReadsInto, sys.stdin.buffer)
            stream = io.BufferedReader(CountingReader(stdin, on_bytes), 1 << 20)
            yield from parse_stream("stdin", stream)
            continue
        assert isinstance(item, Path)
        try:
            handle = item.open("rb")
        except OSError as exc:
            yield RecordFailure(str(item), f"cannot read file: {exc.strerror}")
            continue
        with handle:
            yield from parse_stream(str(item), io.BufferedReader(CountingReader(handle, on_bytes), 1 << 20))


def run_ingest(archive: Archive, paths: list[str], *, progress: bool, console: Console) -> IngestSummary:
    inputs = expand(paths)
    total_bytes = sum(p.stat().st_size for p in inputs if isinstance(p, Path))
    columns = [
        TextColumn("[bold]ingest"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TextColumn("{task.fields[records]:,} records"),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=console, disable=not progress, transient=False) as bar:
        task = bar.add_task("ingest", total=total_bytes or None, records=0)
        count = [0]

        def on_record() -> None:
            count[0] += 1
            if count[0] % 200 == 0:
                bar.update(task, records=count[0])

        def on_bytes(n: int) -> None:
            bar.advance(task, n)

        parsed = read_in_background(inputs, on_bytes) if worth_a_reader(inputs) else records(inputs, on_bytes)
        with background_indexer(archive):
            summary = ingest(
                archive,
                parsed,
                inputs=[str(p) for p in inputs],
                on_record=on_record,
                sync_each_batch=False,
            )
        bar.update(task, records=count[0])
    return summary


def print_summary(summary: IngestSummary, console: Console) -> None:
    table = Table(title="ملخص الإدخال — ingest summary", show_header=True)
    for column in ("added", "updated", "unchanged", "duplicates", "failed", "seconds", "records/s"):
        table.add_column(column, justify="right")
    rate = summary.records / summary.seconds if summary.seconds else 0.0
    table.add_row(
        *(
            f"{v:,}"
            for v in (summary.added, summary.updated, summary.unchanged, summary.duplicates, summary.failed)
        ),
        f"{summary.seconds:.1f}",
        f"{rate:,.0f}",
    )
    console.print(table)
    for failure in summary.failures[:50]:
        console.print(f"[red]✗[/red] {failure['origin']}: {failure['reason']}")
    if len(summary.failures) > 50:
        console.print(f"… and {len(summary.failures) - 50:,} more failures (use --json for all)")
