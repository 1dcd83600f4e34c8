"""ASGI middleware: request ids and logs, metrics, security headers, and the guards that run before
the app reads a request body: header count, Host allow-list, body-size limit, cross-site writes, keys."""

from __future__ import annotations

import ipaddress
import logging
import re
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.logging import request_id
from service.server.deps import read_denial, require_read, require_write, write_denial
from service.server.metrics import Metrics
from service.server.problems import problem
from service.settings import Settings

log = logging.getLogger("arshif.http")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (
        b"content-security-policy",
        (
            b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            b"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
        ),
    ),
]


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once a streamed body passes the limit; an HTTPException so that FastAPI's
    body parsing passes it on (anything else there becomes a 400) and the app answers 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit} bytes")
        self.limit = limit


def too_large(limit: int) -> Response:
    return problem(
        413,
        "too-large",
        f"request body larger than {limit} bytes",
        f"حجم الطلب أكبر من المسموح ({limit} بايت)",
    )


UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
WILDCARD_BINDS = ("", "0.0.0.0", "::")


def split_host(value: str) -> tuple[str, str | None]:
    """``name:port``, ``[v6]:port``, a bare name or IPv6 address → (lower-case host, port or None)."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return value, None
        rest = value[end + 1 :]
        return value[1:end], (rest[1:] if rest.startswith(":") else None)
    if value.count(":") == 1:
        host, port = value.split(":")
        return host.rstrip("."), port
    return value.rstrip("."), None


class HostPolicy:
    """Which ``Host`` headers the server answers: a guard against DNS rebinding."""

    def __init__(self, settings: Settings) -> None:
        names = settings.allowed_hosts or list(LOOPBACK_NAMES)
        self.any_host = "*" in names
        self.any_ip = False
        self.exact: set[str] = set()
        self.suffixes: list[str] = []
        for name in names:
            host = split_host(name)[0]
            if host.startswith("."):
                self.suffixes.append(host)
            elif host != "*":
                self.exact.add(host)
        if settings.bind_host is not None:
            bound = split_host(settings.bind_host)[0]
            if bound in WILDCARD_BINDS:
                self.any_ip = True  # an IP address in Host cannot be a rebound name
            else:
                self.exact.add(bound)

    def allows(self, host_header: str | None, client_host: str) -> bool:
        if host_header is None:
            return True  # HTTP/1.0 without Host: no browser sends that, so no rebinding either
        if self.any_host:
            return True
        host = split_host(host_header)[0]
        if host in self.exact or any(host.endswith(suffix) for suffix in self.suffixes):
            return True
        if host == "testserver" and client_host == "testclient":
            return True  # Starlette's in-process TestClient: never a network peer
        if self.any_ip:
            try:
                ipaddress.ip_address(host)
                return True
            except ValueError:
                return False
        return False


DEFAULT_PORTS = {"http": "80", "https": "443"}


def same_origin(origin: str, scheme: str, host_header: str | None) -> bool:
    """Whether ``Origin`` is this server as the request addressed it (scheme, host and port)."""
    if not host_header:
        return False
    try:
        parts = urlsplit(origin)
        origin_port = str(parts.port) if parts.port else DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return False
    host, port = split_host(host_header)
    return (
        parts.scheme == scheme
        and (parts.hostname or "").rstrip(".") == host
        and origin_port == (port or DEFAULT_PORTS.get(scheme))
    )


def cross_site_write(headers: Headers, scheme: str, cors_origins: list[str]) -> bool:
    """A write a browser sends on behalf of another site's page (a form, a no-cors fetch)."""
    origin = headers.get("origin")
    if origin is not None and origin in cors_origins:
        return False  # explicitly trusted; the key rules still apply
    if headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        return True
    return origin is not None and not same_origin(origin, scheme, headers.get("host"))


def _dependency_calls(dependant: Any) -> set[Any]:
    calls: set[Any] = set()
    for dependency in dependant.dependencies:
        calls.add(dependency.call)
        calls |= _dependency_calls(dependency)
    return calls


class ArshifMiddleware:
    """One pass per request: id, guards, timing, metrics, security headers, one log line."""

    def __init__(self, app: ASGIApp, metrics: Metrics, settings: Settings) -> None:
        self.app, self.metrics, self.settings = app, metrics, settings
        self.max_body = settings.max_request_bytes
        self.hosts = HostPolicy(settings)
        self._rules: dict[int, str | None] = {}

    def _rule(self, scope: Scope) -> str | None:
        """ "write" or "read" when the route the request goes to has that dependency; None otherwise."""
        app = scope.get("app")
        for route in getattr(getattr(app, "router", None), "routes", ()):
            match, _ = route.matches(scope)
            if match is Match.FULL:
                if not isinstance(route, APIRoute):
                    return None
                if id(route) not in self._rules:
                    calls = _dependency_calls(route.dependant)
                    self._rules[id(route)] = (
                        "write" if require_write in calls else "read" if require_read in calls else None
                    )
                return self._rules[id(route)]
        return None

    def _refusal(self, scope: Scope, headers: Headers) -> Response | None:
        """The answer to a request refused on its head alone (before any of its body is read)."""
        if len(scope.get("headers") or ()) > self.settings.max_headers:
            return problem(
                431,
                "too-many-headers",
                f"more than {self.settings.max_headers} request headers",
                f"عدد ترويسات الطلب أكثر من {self.settings.max_headers}",
            )
        client_host = scope["client"][0] if scope.get("client") else ""
        if not self.hosts.allows(headers.get("host"), client_host):
            return problem(
                400,
                "host-not-allowed",
                "this server does not answer for that Host; list it in ARSHIF_ALLOWED_HOSTS",
                "هذا الخادم لا يجيب على اسم المضيف هذا؛ أضفه إلى ARSHIF_ALLOWED_HOSTS",
            )
        try:
            declared = int(headers.get("content-length") or 0)
        except ValueError:
            declared = 0
        if declared > self.max_body:
            return too_large(self.max_body)
        if scope["method"] not in UNSAFE_METHODS:
            return None
        if cross_site_write(headers, scope.get("scheme", "http"), self.settings.cors_origins):
            return problem(
                403,
                "cross-origin-write",
                "writes from another site's page are refused (Origin / Sec-Fetch-Site); "
                "trusted origins go in ARSHIF_CORS_ORIGINS",
                "الكتابة من صفحة موقع آخر مرفوضة؛ تُضاف المصادر الموثوقة إلى ARSHIF_CORS_ORIGINS",
            )
        rule = self._rule(scope)
        denial = (
            write_denial(self.settings, headers, client_host)
            if rule == "write"
            else read_denial(self.settings, headers)
            if rule == "read"
            else None
        )
        if denial is not None:
            return problem(denial.status, denial.type, denial.message_en, denial.message_ar, scope["path"])
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        incoming = headers.get("x-request-id", "")
        rid = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex[:16]
        token = request_id.set(rid)
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = [500]
        response_started = [False]

        async def limited_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                received[0] += len(message.get("body", b""))
                if received[0] > self.max_body:
                    raise BodyTooLarge(self.max_body)
            return message

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_started[0] = True
                status[0] = message["status"]
                extra = [(b"x-request-id", rid.encode())]
                existing = {k.lower() for k, _ in message.get("headers", [])}
                extra += [(k, v) for k, v in SECURITY_HEADERS if k not in existing]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        received = [0]
        try:
            refusal = self._refusal(scope, headers)
            if refusal is not None:
                await refusal(scope, receive, send_wrapper)
            else:
                await self.app(scope, limited_receive, send_wrapper)
        except Exception as exc:
            # Starlette's ServerErrorMiddleware sits outside this one and would answer without the
            # security headers: every error answer is made here.
            if response_started[0]:
                raise
            if isinstance(exc, BodyTooLarge):
                await too_large(self.max_body)(scope, receive, send_wrapper)
            else:
                log.exception("unhandled error", extra={"fields": {"request_id": rid}})
                await problem(
                    500,
                    "internal",
                    f"internal error (request id {rid})",
                    f"خطأ داخلي في الخادم (رقم الطلب {rid})",
                    scope.get("path"),
                )(scope, receive, send_wrapper)
        finally:
            self._record(scope, status[0], started)
            request_id.reset(token)

    def _record(self, scope: Scope, status: int, started: float) -> None:
        elapsed = time.perf_counter() - started
        route = scope.get("route")
        path = getattr(route, "path", None) or "unmatched"
        self.metrics.requests.labels(path, scope["method"], str(status)).inc()
        self.metrics.latency.labels(path, scope["method"]).observe(elapsed)
        log.info(
            "request",
            extra={
                "fields": {
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "ms": round(elapsed * 1000, 2),
                }
            },
        )
