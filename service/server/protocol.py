"""uvicorn's httptools protocol with two limits it lacks: how long a client may take to send a request
head, and how large that head may be. (uvicorn's keep-alive timer starts only after a first response,
and httptools buffers a header of any size.) ``arshif serve`` runs uvicorn with this class."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from service.server.middleware import SECURITY_HEADERS
from service.server.problems import problem_body
from service.settings import get_settings

REASONS = {408: b"Request Timeout", 431: b"Request Header Fields Too Large"}


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        settings = get_settings()
        self.head_timeout = settings.header_timeout
        self.max_head_bytes = settings.max_header_bytes
        self.head_timer: asyncio.TimerHandle | None = None
        self.in_head = True
        self.head_bytes = 0
        self.message_done = False

    # a request head is expected from the connection's start and after each finished exchange
    def _arm(self) -> None:
        self._disarm()
        self.in_head, self.head_bytes = True, 0
        self.head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _disarm(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    # uvicorn's HttpToolsProtocol narrows asyncio's BaseTransport to Transport (with the same ignore)
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.in_head and not self.transport.is_closing():
            self.head_bytes += len(data)  # data that did not finish a head was all head
            if self.head_bytes > self.max_head_bytes:
                self._refuse(
                    431,
                    "headers-too-large",
                    f"the request line and headers are larger than {self.max_head_bytes} bytes",
                    f"سطر الطلب وترويساته أكبر من {self.max_head_bytes} بايت",
                )

    def on_message_begin(self) -> None:
        self.message_done = False
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self.in_head = False
        self._disarm()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self.message_done = True
        super().on_message_complete()
        if self.cycle is not None and self.cycle.response_complete:
            self._arm()  # answered early; the rest of the body has now arrived

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.message_done and (self.cycle is None or self.cycle.response_complete):
            self._arm()

    def _head_timed_out(self) -> None:
        self.head_timer = None
        if self.transport.is_closing() or not self.in_head:
            return
        self._refuse(
            408,
            "request-timeout",
            f"the request head did not arrive within {self.head_timeout:g} s",
            f"لم تصل ترويسات الطلب خلال {self.head_timeout:g} ثانية",
        )

    def _refuse(self, status: int, type_: str, detail: str, detail_ar: str) -> None:
        """A problem+json answer straight onto the socket (no request reached the app), then close."""
        self._disarm()
        self.in_head = False
        body = json.dumps(problem_body(status, type_, detail, detail_ar), ensure_ascii=False).encode()
        head = [
            b"HTTP/1.1 %d %s" % (status, REASONS[status]),
            b"content-type: application/problem+json",
            b"content-length: %d" % len(body),
            b"connection: close",
        ]
        head += [name + b": " + value for name, value in SECURITY_HEADERS]
        self.transport.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
        self.transport.close()
