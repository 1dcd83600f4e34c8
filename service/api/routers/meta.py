"""Sources, statistics and Prometheus metrics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response
from prometheus_client import CONTENT_TYPE_LATEST

from service.api.schemas import AliasIn, Problem, SourceOut, StatsOut
from service.archive import Archive
from service.db.models import MAX_ID
from service.server.deps import ArchiveDep, FollowerDep, MetricsDep, SearchDep, require_read, require_write
from service.server.indexer import IndexFollower
from service.server.stats import archive_stats
from service.sources import add_alias, list_sources

router = APIRouter(tags=["archive"])


@router.get(
    "/api/sources",
    response_model=list[SourceOut],
    dependencies=[Depends(require_read)],
    summary="Outlets, their article counts and aliases / المصادر وعدد مقالاتها وأسماؤها الأخرى",
)
def sources(archive: ArchiveDep) -> list[SourceOut]:
    return [SourceOut(**s.as_dict()) for s in list_sources(archive.db)]


@router.post(
    "/api/sources/{source_id}/aliases",
    response_model=SourceOut,
    status_code=201,
    dependencies=[Depends(require_write)],
    responses={code: {"model": Problem} for code in (400, 401, 403, 404, 409, 422)},
    summary="Add an alias to an outlet / إضافة اسم آخر للمصدر",
)
def add_source_alias(
    source_id: Annotated[int, Path(ge=1, le=MAX_ID)], data: AliasIn, archive: ArchiveDep, search: SearchDep
) -> SourceOut:
    add_alias(archive.db, source_id, data.alias)
    search.sources.invalidate()
    [listing] = list_sources(archive.db, source_id)
    return SourceOut(**listing.as_dict())


def collect_stats(archive: Archive, follower: IndexFollower) -> StatsOut:
    return StatsOut(**archive_stats(archive, follower))


@router.get(
    "/api/stats",
    response_model=StatsOut,
    dependencies=[Depends(require_read)],
    summary="Archive statistics / إحصاءات الأرشيف",
)
def stats(archive: ArchiveDep, follower: FollowerDep) -> StatsOut:
    return collect_stats(archive, follower)


@router.get("/metrics", include_in_schema=False, dependencies=[Depends(require_read)])
def metrics(archive: ArchiveDep, follower: FollowerDep, m: MetricsDep) -> Response:
    current = collect_stats(archive, follower)
    m.articles.set(current.articles)
    m.indexed.set(current.indexed_documents)
    m.lag.set(current.index_lag["pending_changes"])
    m.lag_seconds.set(current.index_lag["lag_seconds"])
    m.applied_seq.set(current.index_lag["applied_seq"])
    return Response(m.exposition(), media_type=CONTENT_TYPE_LATEST)
