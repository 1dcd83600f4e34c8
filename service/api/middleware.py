"""ASGI middleware: request ids and logs, metrics, body-size limit, security headers."""

from __future__ import annotations

import logging
import re
import time
import uuid

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from service.logging import request_id

log = logging.getLogger("arshif.http")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    ),
]


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("arshif_http_requests_total", "HTTP requests", ["route", "method", "status"], registry=self.registry)
        self.latency = Histogram("arshif_http_request_seconds", "HTTP request latency", ["route", "method"], registry=self.registry)
        self.search_latency = Histogram(
            "arshif_search_seconds", "Search latency inside the engine",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5), registry=self.registry,
        )
        self.articles = Gauge("arshif_articles", "Articles in the database", registry=self.registry)
        self.indexed = Gauge("arshif_indexed_documents", "Documents in the search index", registry=self.registry)
        self.lag = Gauge("arshif_index_lag_changes", "Changes not yet applied to the index", registry=self.registry)
        self.lag_seconds = Gauge("arshif_index_lag_seconds", "Age of the oldest change not yet indexed", registry=self.registry)
        self.applied_seq = Gauge("arshif_index_applied_seq", "Last change sequence applied to this node's index", registry=self.registry)


class BodyTooLarge(Exception):
    pass


class ArshifMiddleware:
    """One pass per request: id, size limit, timing, metrics, security headers, one log line."""

    def __init__(self, app, metrics: Metrics, max_body: int) -> None:  # type: ignore[no-untyped-def]
        self.app, self.metrics, self.max_body = app, metrics, max_body

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex[:16]
        token = request_id.set(rid)
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = [500]
        try:
            declared = int(headers.get(b"content-length", b"0") or 0)
        except ValueError:
            declared = 0
        if declared > self.max_body:
            await _too_large(send, rid, self.max_body)
            status[0] = 413
            self._record(scope, 413, started)
            request_id.reset(token)
            return
        received = [0]

        async def limited_receive():  # type: ignore[no-untyped-def]
            message = await receive()
            if message["type"] == "http.request":
                received[0] += len(message.get("body", b""))
                if received[0] > self.max_body:
                    raise BodyTooLarge
            return message

        async def send_wrapper(message) -> None:  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                extra = [(b"x-request-id", rid.encode())]
                existing = {k.lower() for k, _ in message.get("headers", [])}
                extra += [(k, v) for k, v in SECURITY_HEADERS if k not in existing]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        try:
            await self.app(scope, limited_receive, send_wrapper)
        except BodyTooLarge:
            status[0] = 413
            await _too_large(send, rid, self.max_body)
        finally:
            self._record(scope, status[0], started)
            request_id.reset(token)

    def _record(self, scope, status: int, started: float) -> None:  # type: ignore[no-untyped-def]
        elapsed = time.perf_counter() - started
        route = scope.get("route")
        path = getattr(route, "path", None) or "unmatched"
        self.metrics.requests.labels(path, scope["method"], str(status)).inc()
        self.metrics.latency.labels(path, scope["method"]).observe(elapsed)
        log.info(
            "request",
            extra={"fields": {"method": scope["method"], "path": scope["path"], "status": status, "ms": round(elapsed * 1000, 2)}},
        )


async def _too_large(send, rid: str, limit: int) -> None:  # type: ignore[no-untyped-def]
    import json

    body = json.dumps({
        "type": "https://arshif.invalid/problems/too-large", "title": "too-large", "status": 413,
        "detail": f"request body larger than {limit} bytes", "detail_ar": "حجم الطلب أكبر من المسموح",
    }).encode()
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode()),
        (b"x-request-id", rid.encode()), *SECURITY_HEADERS,
    ]})
    await send({"type": "http.response.body", "body": body})
