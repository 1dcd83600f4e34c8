"""Articles: read, list, write, similar."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from service.api.body import json_body
from service.api.schemas import (
    ArticleCopy,
    ArticleDetail,
    ArticleIn,
    ArticleList,
    ArticleOut,
    ArticlePatch,
    BulkWriteOutcome,
    HitOut,
    Problem,
    WriteOutcome,
)
from service.archive import Archive
from service.db import Article, Source
from service.db.models import MAX_ID
from service.errors import ArshifError, NotFound
from service.export import article_record
from service.ingest.store import ArticleInput, ArticleWriter, RejectedRecord
from service.search.copies import Copy
from service.search.query import date_bounds
from service.server.deps import ArchiveDep, SearchDep, require_read, require_write

router = APIRouter(prefix="/api/articles", tags=["articles"])
read = [Depends(require_read)]
write = [Depends(require_write)]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "No such article / لا يوجد مقال بهذا الرقم"},
}
BAD: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem},
    401: {"model": Problem},
    403: {"model": Problem},
    422: {"model": Problem},
}
MAX_BATCH = 1000
ArticleId = Annotated[int, Path(ge=1, le=MAX_ID, description="Article id / رقم المقال", examples=[42])]


def _missing(article_id: int) -> NotFound:
    return NotFound(f"لا يوجد مقال رقمه {article_id}", f"no article with id {article_id}")


def _out(article: Article) -> ArticleOut:
    record = article_record(article)
    return ArticleOut.model_validate(record)


def _copy(copy: Copy) -> ArticleCopy:
    article = copy.article
    return ArticleCopy(
        id=article.id,
        title=article.title,
        source=article.source.name if article.source else None,
        url=article.url,
        published_at=article.published_at,
        similarity=copy.similarity,
    )


def _etag(article: Article) -> str:
    stamp = (
        f"{article.id}:{article.updated_at.isoformat() if article.updated_at else ''}:{article.content_hash}"
    )
    return '"' + hashlib.sha256(stamp.encode()).hexdigest()[:20] + '"'


@router.get(
    "",
    response_model=ArticleList,
    dependencies=read,
    responses=BAD,
    summary="List articles, newest first / قائمة المقالات",
)
def list_articles(
    archive: ArchiveDep,
    search: SearchDep,
    source: Annotated[
        list[str] | None, Query(description="Outlet name or alias (repeatable) / المصدر أو اسم آخر له")
    ] = None,
    author: str | None = None,
    section: str | None = None,
    external_id: Annotated[
        str | None,
        Query(
            max_length=500,
            examples=["ant2-AL-sport-1153-20180407"],
            description="The outlet's own id of the article, exact (with `source` for one outlet's)"
            " / معرّف المقال لدى مصدره، مطابقةً تامة (مع source لمصدر بعينه)",
        ),
    ] = None,
    url: Annotated[
        str | None,
        Query(
            max_length=2000,
            examples=["https://example.org/a/1"],
            description="The article's address, exact / رابط المقال، مطابقةً تامة",
        ),
    ] = None,
    date_from: Annotated[str | None, Query(alias="from", examples=["2018-02-01"])] = None,
    date_to: Annotated[str | None, Query(alias="to", examples=["2018-02-28"])] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> ArticleList:
    conditions: list[ColumnElement[bool]] = []
    if source:
        names = {n for wanted in source for n in (wanted, *search.sources.named(wanted))}  # or an alias
        conditions.append(Article.source_id.in_(select(Source.id).where(Source.name.in_(names))))
    if author:
        conditions.append(Article.author == author)
    if section:
        conditions.append(Article.section == section)
    if external_id is not None:
        conditions.append(Article.external_id == external_id)
    if url is not None:
        conditions.append(Article.url == url)
    start, end = date_bounds(date_from, date_to)
    if start:
        conditions.append(Article.published_at >= start)
    if end:
        conditions.append(Article.published_at < end)
    with archive.db.reading() as session:
        total = session.scalar(select(func.count()).select_from(Article).where(*conditions)) or 0
        rows = session.scalars(
            select(Article)
            .where(*conditions)
            .order_by(Article.published_at.desc().nulls_last(), Article.id.desc())
            .offset(offset)
            .limit(limit)
        )
        items = [_out(a) for a in rows]
    return ArticleList(total=total, items=items, offset=offset, limit=limit)


@router.get(
    "/{article_id}",
    response_model=ArticleDetail,
    dependencies=read,
    responses=NOT_FOUND,
    summary="One article with the same story elsewhere / مقال واحد والخبر نفسه في مصادر أخرى",
)
def get_article(
    article_id: ArticleId,
    request: Request,
    response: Response,
    archive: ArchiveDep,
    search: SearchDep,
) -> ArticleDetail | Response:
    with archive.db.reading() as session:
        article = session.get(Article, article_id)
        if article is None:
            raise _missing(article_id)
        etag = _etag(article)
        headers = {"etag": etag, "cache-control": "private, max-age=0, must-revalidate"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        copies = search.same_story(article)
        detail = ArticleDetail(
            **_out(article).model_dump(),
            same_story=[_copy(c) for c in copies.elsewhere],
            same_outlet=[_copy(c) for c in copies.same_outlet],
        )
    response.headers.update(headers)
    return detail


@router.get(
    "/{article_id}/similar",
    response_model=list[HitOut],
    dependencies=read,
    responses=NOT_FOUND,
    summary="Similar articles (more like this) / مقالات مشابهة",
)
def similar(
    article_id: ArticleId, search: SearchDep, limit: Annotated[int, Query(ge=1, le=50)] = 10
) -> list[HitOut]:
    return [HitOut.model_validate(h, from_attributes=True) for h in search.similar(article_id, limit)]


def _input(data: ArticleIn) -> ArticleInput:
    return ArticleInput(**data.model_dump())


def _too_many() -> ArshifError:
    return ArshifError(f"الحد الأقصى {MAX_BATCH} مقال في الطلب", f"at most {MAX_BATCH} articles per request")


ArticlesPayload = ArticleIn | list[ArticleIn]
# Parsed in a worker thread, a list refused at its first surplus article (service/api/body.py); the
# schema FastAPI would have derived from a Body() parameter is stated by hand.
_PAYLOAD_SCHEMA = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "anyOf": [
                        {"$ref": "#/components/schemas/ArticleIn"},
                        {"type": "array", "items": {"$ref": "#/components/schemas/ArticleIn"}},
                    ],
                    "description": f"One article or a list of up to {MAX_BATCH}",
                    "title": "Payload",
                }
            }
        },
    }
}


@router.post(
    "",
    status_code=201,
    response_model=WriteOutcome | BulkWriteOutcome,
    dependencies=write,
    responses=BAD,
    summary="Add articles: one JSON object or a list / إضافة مقال أو قائمة مقالات",
    openapi_extra=_PAYLOAD_SCHEMA,
)
def create_articles(
    archive: ArchiveDep,
    payload: Annotated[ArticlesPayload, Depends(json_body(ArticlesPayload, MAX_BATCH, _too_many))],
) -> WriteOutcome | BulkWriteOutcome:
    items = payload if isinstance(payload, list) else [payload]
    stored = archive.db.write(
        lambda session: ArticleWriter(session).upsert_many([_input(item) for item in items])
    )
    results: list[WriteOutcome | Problem] = []
    for result in stored:
        if isinstance(result, RejectedRecord):
            if not isinstance(payload, list):
                raise ArshifError(str(result), str(result), type="rejected")
            results.append(
                Problem(
                    type="rejected", title="rejected", status=400, detail=str(result), detail_ar=str(result)
                )
            )
        else:
            results.append(WriteOutcome(outcome=result.outcome, id=result.article_id))
    if isinstance(payload, list):
        return BulkWriteOutcome(results=results)
    single = results[0]
    assert isinstance(single, WriteOutcome)  # one article, rejected, was raised above
    return single


def _apply(archive: Archive, article_id: int, fields: dict[str, Any]) -> ArticleOut:
    def work(session: Session) -> ArticleOut:
        article = session.get(Article, article_id)
        if article is None:
            raise _missing(article_id)
        try:
            ArticleWriter(session).patch(article, fields)
        except RejectedRecord as exc:
            raise ArshifError(str(exc), str(exc), status=409, type="conflict") from None
        session.flush()
        session.refresh(article)
        out = _out(article)
        out.model_dump(mode="json")  # an answer that cannot be written must undo the change, not follow it
        return out

    out = archive.db.write(work)
    return out


@router.put(
    "/{article_id}",
    response_model=ArticleOut,
    dependencies=write,
    responses={**BAD, **NOT_FOUND},
    summary="Replace an article / استبدال مقال",
)
def replace_article(article_id: ArticleId, data: ArticleIn, archive: ArchiveDep) -> ArticleOut:
    fields = data.model_dump()
    fields["metadata"] = fields.get("metadata") or {}
    return _apply(archive, article_id, fields)


@router.patch(
    "/{article_id}",
    response_model=ArticleOut,
    dependencies=write,
    responses={**BAD, **NOT_FOUND},
    summary="Change some fields / تعديل بعض الحقول",
)
def patch_article(article_id: ArticleId, data: ArticlePatch, archive: ArchiveDep) -> ArticleOut:
    fields = data.model_dump(exclude_unset=True)
    if "body" in fields and fields["body"] is None:
        raise ArshifError("لا يمكن حذف نص المقال", "body cannot be null")
    return _apply(archive, article_id, fields)


@router.delete(
    "/{article_id}",
    status_code=204,
    dependencies=write,
    responses=NOT_FOUND,
    summary="Delete an article / حذف مقال",
)
def delete_article(article_id: ArticleId, archive: ArchiveDep) -> Response:
    def work(session: Session) -> None:
        article = session.get(Article, article_id)
        if article is None:
            raise _missing(article_id)
        ArticleWriter(session).delete(article)

    archive.db.write(work)
    return Response(status_code=204)
