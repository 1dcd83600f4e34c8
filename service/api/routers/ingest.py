"""Upload files in any format ``arshif ingest`` accepts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePath
from typing import Annotated

import anyio.from_thread
from fastapi import APIRouter, Depends, File, Request, UploadFile

from service.api.schemas import IngestSummaryOut, Problem
from service.errors import ArshifError
from service.ingest.budget import IngestBudget
from service.ingest.formats import Limits, ParsedArticle, RecordFailure, parse_stream
from service.ingest.pipeline import ingest
from service.server.deps import ArchiveDep, require_write

router = APIRouter(prefix="/api", tags=["ingest"])
MAX_FILES = 100


def _safe_name(name: str | None, index: int) -> str:
    """Only the base name is kept, and only as a label and format hint: nothing is written under it."""
    base = PurePath((name or "").replace("\\", "/")).name.strip()
    return base[:200] or f"upload-{index}"


@router.post(
    "/ingest",
    response_model=IngestSummaryOut,
    dependencies=[Depends(require_write)],
    responses={
        400: {"model": Problem},
        401: {"model": Problem},
        403: {"model": Problem},
        413: {"model": Problem},
    },
    summary="Ingest uploaded files / إدخال ملفات",
    description="Multipart upload, field `files` (repeatable): text scrapes, HTML, JSON, JSON Lines (.gz/.xz), WARC. "
    "Uploads are spooled to disk, never held in memory whole. Answers with the run summary. One request may read "
    "at most `ARSHIF_MAX_INGEST_BYTES` decompressed bytes and `ARSHIF_MAX_INGEST_RECORDS` lines or records, and "
    "work `ARSHIF_MAX_INGEST_SECONDS`; past a cap it stops with 413: the complete records read before that point "
    "are stored, and the problem's detail says how many and after which record. If the client disconnects, the "
    "work stops the same way.",
)
def ingest_files(
    request: Request,
    archive: ArchiveDep,
    files: Annotated[list[UploadFile], File(description="Files to ingest / الملفات")],
) -> IngestSummaryOut:
    if len(files) > MAX_FILES:
        raise ArshifError(f"الحد الأقصى {MAX_FILES} ملف في الطلب", f"at most {MAX_FILES} files per request")
    names = [_safe_name(f.filename, i) for i, f in enumerate(files)]
    settings = archive.settings
    budget = IngestBudget(
        max_bytes=settings.max_ingest_bytes,
        max_records=settings.max_ingest_records,
        max_seconds=settings.max_ingest_seconds,
        # this runs in a worker thread: ask the event loop whether the client is still connected
        client_gone=lambda: anyio.from_thread.run(request.is_disconnected),
    )
    limits = Limits.default(budget)

    def records() -> Iterator[ParsedArticle | RecordFailure]:
        for name, upload in zip(names, files):
            upload.file.seek(0)
            yield from parse_stream(name, upload.file, limits=limits)

    summary = ingest(archive, records(), inputs=names)
    return IngestSummaryOut.model_validate(summary.as_dict())
