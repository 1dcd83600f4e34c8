"""Upload files in any format ``arshif ingest`` accepts."""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, UploadFile

from service.api.deps import get_archive, require_write
from service.api.schemas import IngestSummaryOut, Problem
from service.archive import Archive
from service.errors import ArshifError
from service.ingest.formats import parse_stream
from service.ingest.pipeline import ingest

router = APIRouter(prefix="/api", tags=["ingest"])
MAX_FILES = 100


def _safe_name(name: str | None, index: int) -> str:
    """Only the base name is kept, and only as a label and format hint: nothing is written under it."""
    base = PurePath((name or "").replace("\\", "/")).name.strip()
    return base[:200] or f"upload-{index}"


@router.post(
    "/ingest", response_model=IngestSummaryOut, dependencies=[Depends(require_write)],
    responses={400: {"model": Problem}, 401: {"model": Problem}, 403: {"model": Problem}, 413: {"model": Problem}},
    summary="Ingest uploaded files / إدخال ملفات",
    description="Multipart upload, field `files` (repeatable): text scrapes, HTML, JSON, JSON Lines (.gz/.xz), WARC. "
    "Uploads are spooled to disk, never held in memory whole. Answers with the run summary.",
)
def ingest_files(
    request: Request,
    archive: Annotated[Archive, Depends(get_archive)],
    files: Annotated[list[UploadFile], File(description="Files to ingest / الملفات")],
) -> IngestSummaryOut:
    if len(files) > MAX_FILES:
        raise ArshifError(f"الحد الأقصى {MAX_FILES} ملف في الطلب", f"at most {MAX_FILES} files per request")
    names = [_safe_name(f.filename, i) for i, f in enumerate(files)]

    def records():  # type: ignore[no-untyped-def]
        for name, upload in zip(names, files):
            upload.file.seek(0)
            yield from parse_stream(name, upload.file)

    summary = ingest(archive, records(), inputs=names)
    request.app.state.follower.poke()
    return IngestSummaryOut.model_validate(summary.as_dict())
