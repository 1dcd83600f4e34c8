"""Synonym groups, expanded at query time (no reindex needed)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response

from service.api.schemas import Problem, SynonymGroupIn, SynonymGroupOut, SynonymsIn
from service.db import SynonymGroup
from service.db.models import MAX_ID
from service.search import synonyms as store
from service.server.deps import ArchiveDep, require_read, require_write

router = APIRouter(prefix="/api/synonyms", tags=["synonyms"])
BAD: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem},
    401: {"model": Problem},
    403: {"model": Problem},
    422: {"model": Problem},
}


def _out(groups: Iterable[SynonymGroup]) -> list[SynonymGroupOut]:
    return [SynonymGroupOut(id=g.id, terms=g.terms) for g in groups]


@router.get(
    "",
    response_model=list[SynonymGroupOut],
    dependencies=[Depends(require_read)],
    summary="List synonym groups / قائمة المرادفات",
)
def list_synonyms(archive: ArchiveDep) -> list[SynonymGroupOut]:
    return _out(store.list_groups(archive.db))


@router.put(
    "",
    response_model=list[SynonymGroupOut],
    dependencies=[Depends(require_write)],
    responses=BAD,
    summary="Replace all synonym groups / استبدال كل المرادفات",
)
def put_synonyms(data: SynonymsIn, archive: ArchiveDep) -> list[SynonymGroupOut]:
    groups = store.replace_all(archive.db, data.groups)
    return _out(groups)


@router.post(
    "",
    response_model=SynonymGroupOut,
    status_code=201,
    dependencies=[Depends(require_write)],
    responses=BAD,
    summary="Add one synonym group / إضافة مجموعة مرادفات",
)
def add_synonyms(data: SynonymGroupIn, archive: ArchiveDep) -> SynonymGroupOut:
    group = store.add_group(archive.db, data.terms)
    return SynonymGroupOut(id=group.id, terms=group.terms)


@router.delete(
    "/{group_id}",
    status_code=204,
    dependencies=[Depends(require_write)],
    responses={404: {"model": Problem}},
    summary="Delete one synonym group / حذف مجموعة",
)
def delete_synonyms(group_id: Annotated[int, Path(ge=1, le=MAX_ID)], archive: ArchiveDep) -> Response:
    store.delete_group(archive.db, group_id)
    return Response(status_code=204)


@router.delete(
    "", status_code=204, dependencies=[Depends(require_write)], summary="Delete all synonym groups / حذف الكل"
)
def clear_synonyms(archive: ArchiveDep) -> Response:
    store.replace_all(archive.db, [])
    return Response(status_code=204)
