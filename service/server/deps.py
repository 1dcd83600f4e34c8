"""Dependencies: what the app holds (archive, search service, settings, metrics, index follower) as
typed aliases, and the API-key checks.

Routes and pages ask for ``ArchiveDep``, ``SearchDep`` ... and never read ``request.app.state``: where
the app keeps things is this module's business alone, and a route's signature says what it uses.

They are ``async def`` because they never block: FastAPI runs a plain ``def`` dependency in its thread
pool, and those hand-offs (several per request) cost as much as a fast search."""

from __future__ import annotations

import hmac
import ipaddress
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import Headers

from service.archive import Archive
from service.errors import ArshifError
from service.search.engine import SearchService
from service.server.indexer import IndexFollower
from service.server.metrics import Metrics
from service.settings import Settings


class Unauthorized(ArshifError):
    status = 401
    type = "unauthorized"


class Forbidden(ArshifError):
    status = 403
    type = "forbidden"


async def get_archive(request: Request) -> Archive:
    return request.app.state.archive


async def get_search(request: Request) -> SearchService:
    return request.app.state.search


async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.archive.settings


async def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics


async def get_follower(request: Request) -> IndexFollower:
    return request.app.state.follower


ArchiveDep = Annotated[Archive, Depends(get_archive)]
SearchDep = Annotated[SearchService, Depends(get_search)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
FollowerDep = Annotated[IndexFollower, Depends(get_follower)]


def presented_key(headers: Headers) -> str | None:
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    return headers.get("x-api-key") or None


def key_matches(key: str, allowed: list[str]) -> bool:
    """Constant-time against every configured key, so timing says nothing about which was close."""
    found = False
    for candidate in allowed:
        found |= hmac.compare_digest(key.encode(), candidate.encode())
    return found


def is_loopback(client_host: str) -> bool:
    """The peer's address as uvicorn sees it: behind a reverse proxy on this machine, every client is
    the proxy, hence loopback (see ``Settings``: set ARSHIF_API_KEYS when proxied)."""
    try:
        return ipaddress.ip_address(client_host).is_loopback
    except ValueError:
        return client_host in ("testclient", "localhost")


def write_denial(settings: Settings, headers: Headers, client_host: str) -> ArshifError | None:
    """Why a write is refused, from the headers and the peer address alone (None: allowed).

    The one decision: the ``require_write`` dependency raises it, and the middleware asks it before
    the app reads a request body."""
    if not settings.api_keys:
        if not is_loopback(client_host):
            return Forbidden(
                "الكتابة مسموحة من هذا الجهاز فقط ما لم تُضبط مفاتيح ARSHIF_API_KEYS",
                "writes are accepted from loopback only until ARSHIF_API_KEYS is set",
            )
        return None
    key = presented_key(headers)
    if key is None:
        return Unauthorized(
            "هذه العملية تتطلب مفتاح API",
            "this operation needs an API key (Authorization: Bearer or X-API-Key)",
        )
    if not key_matches(key, settings.api_keys):
        return Forbidden("مفتاح API غير صحيح", "the API key is not valid")
    return None


def read_denial(settings: Settings, headers: Headers) -> ArshifError | None:
    """Why a read is refused (None: allowed); used like ``write_denial``."""
    if not settings.read_keys:
        return None
    key = presented_key(headers)
    if key is None:
        return Unauthorized("القراءة تتطلب مفتاح API", "reading needs an API key")
    if not key_matches(key, settings.read_keys + settings.api_keys):
        return Forbidden("مفتاح API غير صحيح", "the API key is not valid")
    return None


async def require_write(request: Request, settings: SettingsDep) -> None:
    if denial := write_denial(settings, request.headers, request.client.host if request.client else ""):
        raise denial


async def require_read(request: Request, settings: SettingsDep) -> None:
    if denial := read_denial(settings, request.headers):
        raise denial
