"""Dependencies: the archive and search service held by the app, and API-key checks."""

from __future__ import annotations

import hmac
import ipaddress

from fastapi import Depends, Request

from service.archive import Archive
from service.errors import ArshifError
from service.search.engine import SearchService
from service.settings import Settings


class Unauthorized(ArshifError):
    status = 401
    type = "unauthorized"


class Forbidden(ArshifError):
    status = 403
    type = "forbidden"


def get_archive(request: Request) -> Archive:
    return request.app.state.archive


def get_search(request: Request) -> SearchService:
    return request.app.state.search


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.archive.settings


def presented_key(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    return request.headers.get("x-api-key") or None


def key_matches(key: str, allowed: list[str]) -> bool:
    """Constant-time against every configured key, so timing says nothing about which was close."""
    found = False
    for candidate in allowed:
        found |= hmac.compare_digest(key.encode(), candidate.encode())
    return found


def is_loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host in ("testclient", "localhost")


def require_write(request: Request, settings: Settings = Depends(get_settings_dep)) -> None:
    if not settings.api_keys:
        if not is_loopback(request):
            raise Forbidden(
                "الكتابة مسموحة من هذا الجهاز فقط ما لم تُضبط مفاتيح ARSHIF_API_KEYS",
                "writes are accepted from loopback only until ARSHIF_API_KEYS is set",
            )
        return
    key = presented_key(request)
    if key is None:
        raise Unauthorized("هذه العملية تتطلب مفتاح API", "this operation needs an API key (Authorization: Bearer or X-API-Key)")
    if not key_matches(key, settings.api_keys):
        raise Forbidden("مفتاح API غير صحيح", "the API key is not valid")


def require_read(request: Request, settings: Settings = Depends(get_settings_dep)) -> None:
    if not settings.read_keys:
        return
    key = presented_key(request)
    if key is None:
        raise Unauthorized("القراءة تتطلب مفتاح API", "reading needs an API key")
    if not key_matches(key, settings.read_keys + settings.api_keys):
        raise Forbidden("مفتاح API غير صحيح", "the API key is not valid")
