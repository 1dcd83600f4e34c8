"""Feed subscriptions: list them with their health, subscribe, unsubscribe, poll one now."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response

from service.api.schemas import FeedIn, FeedOut, FeedPollOut, Problem
from service.db.models import MAX_ID
from service.feeds import store
from service.feeds.poller import poll_round
from service.server.deps import ArchiveDep, require_read, require_write

router = APIRouter(prefix="/api/feeds", tags=["feeds"])
BAD: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem},
    401: {"model": Problem},
    403: {"model": Problem},
    409: {"model": Problem},
    422: {"model": Problem},
}
FeedId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _out(feed: store.FeedStatus) -> FeedOut:
    return FeedOut.model_validate(feed, from_attributes=True)


@router.get(
    "",
    response_model=list[FeedOut],
    dependencies=[Depends(require_read)],
    summary="List feed subscriptions and their health / الخلاصات المشترك فيها وحالتها",
)
def list_feeds(archive: ArchiveDep) -> list[FeedOut]:
    return [_out(f) for f in store.list_feeds(archive.db)]


@router.post(
    "",
    response_model=FeedOut,
    status_code=201,
    dependencies=[Depends(require_write)],
    responses=BAD,
    summary="Subscribe to a feed / الاشتراك في خلاصة",
    description="An RSS 2.0, Atom or sitemap (news sitemap, sitemap index) URL. The server's poller reads it "
    "every `interval_s` seconds (default `ARSHIF_FEED_INTERVAL`); `POST /api/feeds/{id}/poll` reads it now.",
)
def add_feed(data: FeedIn, archive: ArchiveDep) -> FeedOut:
    feed = store.add_feed(
        archive.db, data.url, source=data.source, interval_s=data.interval_s, allow_hosts=data.allow_hosts
    )
    return _out(feed)


@router.delete(
    "/{feed_id}",
    status_code=204,
    dependencies=[Depends(require_write)],
    responses={404: {"model": Problem}, 401: {"model": Problem}, 403: {"model": Problem}},
    summary="Unsubscribe (its articles stay) / إلغاء الاشتراك",
)
def remove_feed(feed_id: FeedId, archive: ArchiveDep) -> Response:
    store.remove_feed(archive.db, feed_id)
    return Response(status_code=204)


@router.post(
    "/{feed_id}/poll",
    response_model=FeedPollOut,
    dependencies=[Depends(require_write)],
    responses={404: {"model": Problem}, 401: {"model": Problem}, 403: {"model": Problem}},
    summary="Poll one feed now / جلب خلاصة الآن",
)
def poll_feed(feed_id: FeedId, archive: ArchiveDep) -> FeedPollOut:
    store.get_feed(archive.db, feed_id)  # 404 for a feed that is not there
    [report] = poll_round(archive, [feed_id])
    return FeedPollOut.model_validate(report.as_dict())
