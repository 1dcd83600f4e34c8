"""The application: API routers, the search page, error handling and the index follower.

The one module that imports both ``service.api`` and ``service.web``: it composes them into one app."""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from service.api.routers import articles, counts, feeds, health, ingest, meta, search, synonyms
from service.archive import Archive
from service.errors import ArshifError
from service.feeds.poller import BackgroundPoller
from service.logging import configure_logging
from service.search.engine import SearchService
from service.server.indexer import IndexFollower
from service.server.metrics import Metrics
from service.server.middleware import ArshifMiddleware, BodyTooLarge, too_large
from service.server.problems import problem
from service.settings import SUPERVISOR_ENV, Settings, get_settings
from service.web import STATIC_DIR, insight, pages

log = logging.getLogger("arshif")

DESCRIPTION = """
أرشيف — البحث في الأخبار العربية مهما اختلفت كتابة الأسماء.

Arshif: search Arabic news however names are spelled. Reads are open (unless `ARSHIF_READ_KEYS` is
set); writes need `Authorization: Bearer <key>` or `X-API-Key: <key>` (keys from `ARSHIF_API_KEYS`;
with none configured, writes are accepted from loopback only). Writes a browser sends from another
site's page are refused (403 `cross-origin-write`). Errors are RFC 9457
`application/problem+json` with the message in Arabic (`detail_ar`) and English (`detail`).
"""


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ArshifError)
    async def _arshif(request: Request, exc: ArshifError) -> JSONResponse:
        response = problem(exc.status, exc.type, exc.message_en, exc.message_ar, request.url.path)
        if exc.retry_after is not None:
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"loc": [], "msg": ""}
        where = ".".join(first["loc"])
        return problem(
            422,
            "validation",
            f"invalid request: {where}: {first['msg']}",
            f"طلب غير صالح: {where}",
            request.url.path,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        arabic = {
            400: "تعذّرت قراءة الطلب",
            404: "الصفحة غير موجودة",
            405: "الطريقة غير مسموحة لهذا المسار",
        }.get(exc.status_code, "خطأ في الطلب")
        return problem(
            exc.status_code,
            {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error"),
            str(exc.detail),
            arabic,
            request.url.path,
        )

    @app.exception_handler(IntegrityError)
    async def _conflict(request: Request, exc: IntegrityError) -> JSONResponse:
        # a concurrent writer won the race for a unique key; nothing was written by this request
        return problem(
            409,
            "conflict",
            "the change conflicts with another article (a unique key is taken)",
            "التعديل يتعارض مع مقال آخر (قيمة فريدة مستعملة)",
            request.url.path,
        )

    @app.exception_handler(DataError)
    async def _unstorable(request: Request, exc: DataError) -> JSONResponse:
        # PostgreSQL refuses some values SQLite takes (a NUL character, an out-of-range number)
        return problem(
            400,
            "invalid-value",
            "a value in the request cannot be stored or compared by the database",
            "قيمة في الطلب لا تقبلها قاعدة البيانات",
            request.url.path,
        )

    @app.exception_handler(OperationalError)
    async def _database_down(request: Request, exc: OperationalError) -> JSONResponse:
        log.error("database unavailable", extra={"fields": {"error": str(exc.orig or exc).splitlines()[0]}})
        response = problem(
            503,
            "database-unavailable",
            "the database is unavailable; try again shortly",
            "قاعدة البيانات غير متاحة الآن؛ أعد المحاولة بعد قليل",
            request.url.path,
        )
        response.headers["Retry-After"] = "5"
        return response

    @app.exception_handler(BodyTooLarge)
    async def _too_large(request: Request, exc: BodyTooLarge) -> Response:
        return too_large(exc.limit)

    # Unhandled exceptions are answered by ArshifMiddleware (with the security headers).


def _end_with_the_supervisor() -> None:
    """A worker of ``arshif serve --workers N`` ends when its supervisor does, however that dies
    (SIGKILL, the OOM killer): left alone it would go on serving and holding the index writer lock."""
    supervisor = os.environ.get(SUPERVISOR_ENV)
    if not supervisor or not sys.platform.startswith("linux") or os.getpid() == int(supervisor):
        return
    pr_set_pdeathsig = 1
    ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() != int(supervisor):  # already gone before the request above took effect
        os.kill(os.getpid(), signal.SIGTERM)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    _end_with_the_supervisor()
    configure_logging(settings.log_level)
    archive = Archive(settings)
    search_service = SearchService(archive)
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not settings.api_keys:
            log.warning(
                "ARSHIF_API_KEYS is not set: writes are accepted from loopback only / الكتابة من هذا الجهاز فقط"
            )
        archive.index.ensure()
        follower = app.state.follower = IndexFollower(archive)
        # after every write this process commits, whoever wrote it: index it now, use new synonyms now
        forget = [
            archive.db.after_commit(follower.on_commit),
            archive.db.after_commit(search_service.synonyms.on_commit),
        ]
        follower.start()
        # every worker starts a poller; only the one holding the store's lease polls (service/feeds)
        poller = BackgroundPoller(archive) if settings.feed_interval > 0 else None
        if poller:
            poller.start()
        yield
        if poller:
            poller.stop()
        for stop_listening in forget:
            stop_listening()
        follower.stop()
        archive.close()

    app = FastAPI(
        title="Arshif — أرشيف",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.archive = archive
    app.state.search = search_service
    app.state.metrics = metrics
    _install_error_handlers(app)

    for module in (health, search, counts, articles, ingest, synonyms, feeds, meta):
        app.include_router(module.router)
    app.include_router(pages.router)
    app.include_router(insight.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _install_docs(app)

    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type"],
        )
    app.add_middleware(ArshifMiddleware, metrics=metrics, settings=settings)
    return app


def _install_docs(app: FastAPI) -> None:
    """Swagger UI from the installed package, not a CDN: the archive may run offline."""
    import swagger_ui_bundle

    app.mount("/docs/static", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Arshif API — أرشيف",
            swagger_js_url="/docs/static/swagger-ui-bundle.js",
            swagger_css_url="/docs/static/swagger-ui.css",
            swagger_favicon_url="/docs/static/favicon-32x32.png",
        )
        # Swagger UI starts from one inline script of FastAPI's own; only this page allows it.
        page.headers["content-security-policy"] = (
            "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
        )
        return page
