"""Sources, statistics and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import func, select

from service.api.schemas import SourceOut, StatsOut
from service.archive import Archive
from service.db import Article, Source
from service.server.deps import ArchiveDep, FollowerDep, MetricsDep, require_read
from service.server.indexer import IndexFollower
from service.server.stats import archive_stats

router = APIRouter(tags=["archive"])


@router.get(
    "/api/sources",
    response_model=list[SourceOut],
    dependencies=[Depends(require_read)],
    summary="Outlets and their article counts / المصادر وعدد مقالاتها",
)
def sources(archive: ArchiveDep) -> list[SourceOut]:
    with archive.db.reading() as session:
        rows = session.execute(
            select(Source.name, Source.domain, func.count(Article.id))
            .outerjoin(Article)
            .group_by(Source.id)
            .order_by(func.count(Article.id).desc(), Source.name)
        ).all()
    return [SourceOut(name=name, domain=domain, articles=count) for name, domain, count in rows]


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
