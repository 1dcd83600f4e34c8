"""Parsing in a process of its own for ``arshif ingest``: the reader decompresses and parses the inputs
and computes each body's fingerprint (content hash, MinHash), while the writing process only plans
and writes SQL and the index follower analyses and indexes. Each of the three takes part of the CPU
work, so a bulk run keeps both cores busy instead of one process doing all but the indexing.

Records arrive in input order, exactly as ``run.records`` yields them in-process (the same
articles, ids, clusters and failures); chunks travel through a bounded queue, so the reader stays at
most a few chunks ahead. An error in the reader is raised again in the caller. Standard input stays
with the caller's process, and small inputs are parsed in-process (a process costs its start-up).
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, cast

from service.ingest.fingerprint import Fingerprint, fingerprints
from service.ingest.formats import ParsedArticle, RecordFailure
from service.ingest.store import MAX_BODY_CHARS

CHUNK = 256  # records per message: one batch of signatures, ~1 MB pickled
AHEAD = 8  # chunks the reader may run ahead of the writer
MIN_BYTES = 4 << 20  # below this, parse in-process: a second process costs more than it saves
_END, _CHUNK, _ERROR = "end", "chunk", "error"


@dataclass
class Fingerprinted(ParsedArticle):
    """A parsed article with its body's content hash and MinHash, computed by the reader process."""

    fingerprint: Fingerprint | None = None


def with_fingerprints(records: list[ParsedArticle | RecordFailure]) -> list[ParsedArticle | RecordFailure]:
    """The records, each parsed body with its fingerprint (a body the store refuses anyway gets none)."""
    wanted = [
        i
        for i, r in enumerate(records)
        if isinstance(r, ParsedArticle) and isinstance(r.body, str) and len(r.body) <= MAX_BODY_CHARS
    ]
    found = fingerprints([cast(ParsedArticle, records[i]).body for i in wanted])
    out = list(records)
    for i, fp in zip(wanted, found):
        out[i] = Fingerprinted(**vars(records[i]), fingerprint=fp)
    return out


def _read(inputs: list[Path | str], out: Any) -> None:
    """The reader process: parse, fingerprint, send chunks with the bytes read since the last one."""
    from service.ingest.run import records

    read = [0]

    def on_bytes(n: int) -> None:
        read[0] += n

    try:
        stream = records(inputs, on_bytes)
        while chunk := list(islice(stream, CHUNK)):
            out.put((_CHUNK, with_fingerprints(chunk), read[0]))
            read[0] = 0
        out.put((_END, None, read[0]))
    except KeyboardInterrupt:
        pass
    except Exception as exc:  # noqa: BLE001 - handed to the caller, which raises it as its own
        out.put((_ERROR, _portable(exc), 0))


def _portable(exc: BaseException) -> BaseException:
    """The exception itself when it survives pickling, else a RuntimeError with its traceback."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001 - whatever unpickling raises, the traceback still reaches the caller
        return RuntimeError("".join(traceback.format_exception(exc)))


def read_in_background(
    inputs: list[Path | str], on_bytes: Callable[[int], None]
) -> Iterator[ParsedArticle | RecordFailure]:
    """``run.records(inputs, on_bytes)``, parsed and fingerprinted in a reader process."""
    context = multiprocessing.get_context("spawn")
    channel = context.Queue(maxsize=AHEAD)
    process = context.Process(target=_read, args=(inputs, channel), daemon=True)
    process.start()
    try:
        while True:
            try:
                kind, chunk, read = channel.get(timeout=1.0)
            except queue_module.Empty:
                if not process.is_alive():
                    raise RuntimeError(f"the ingest reader process died (exit code {process.exitcode})")
                continue
            if read:
                on_bytes(read)
            if kind == _ERROR:
                raise chunk
            if kind == _END:
                break
            yield from chunk
    finally:
        if process.is_alive():
            process.terminate()
        process.join(timeout=10)
        channel.close()


def worth_a_reader(inputs: list[Path | str]) -> bool:
    """Files only (standard input stays here), and enough of them to repay a process start."""
    if any(not isinstance(item, Path) for item in inputs):
        return False
    return sum(item.stat().st_size for item in inputs if isinstance(item, Path)) >= MIN_BYTES
