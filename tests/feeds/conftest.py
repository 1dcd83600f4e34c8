"""A real local web site for the feed tests: feeds, sitemaps and Arabic pages served by a real HTTP
server on 127.0.0.1, which records every request (path and headers) so tests can say what was asked."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

SITE = Path(__file__).parent / "site"
LAST_MODIFIED = "Mon, 02 Nov 2026 06:30:00 GMT"
TYPES = {".xml": "application/xml; charset=utf-8", ".html": "text/html; charset=utf-8", ".txt": "text/plain"}
# served in the encoding Arabic sites of the 2000s used, declared by the header and the page itself
WINDOWS_1256 = {"/news/market.html"}


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    at: float  # time.monotonic() when it arrived


class Site:
    """``base`` is http://127.0.0.1:PORT; ``other`` names a second host (localhost, same server) that
    no subscription allows unless it says so. ``delay_s`` makes every answer late (a host that times
    out). ``values`` fills the {placeholders} of the files; ``pages`` replaces a file's content or adds
    one (``types`` gives its Content-Type)."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.delay_s = delay_s
        self.requests: list[Request] = []
        self.values = {"school_updated": "2026-11-06T07:00:00Z"}
        self.pages: dict[str, bytes] = {}
        self.types: dict[str, str] = {}  # path -> Content-Type, for pages a test serves
        self.redirects: dict[str, str] = {}  # path -> Location ({other} names the second host)
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def handle(self) -> None:
                try:
                    super().handle()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the crawler gave up (a timeout, a size limit): as a real site would see it

            def do_GET(self) -> None:
                site.requests.append(
                    Request(self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic())
                )
                if site.delay_s:
                    time.sleep(site.delay_s)
                if self.path in site.redirects:
                    self.send_response(301)
                    self.send_header("Location", site.redirects[self.path].replace("{other}", site.other))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body, content_type = site.content(self.path)
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", LAST_MODIFIED)
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.other = f"http://localhost:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def content(self, path: str) -> tuple[bytes | None, str]:
        path = path.split("?")[0]
        file = (SITE / path.lstrip("/")).resolve()
        content_type = self.types.get(path) or TYPES.get(file.suffix, "application/octet-stream")
        if path in self.pages:
            return self.pages[path], content_type
        if SITE not in file.parents or not file.is_file():
            return None, ""
        text = file.read_text(encoding="utf-8").replace("{base}", self.base).replace("{other}", self.other)
        for key, value in self.values.items():
            text = text.replace("{" + key + "}", value)
        if path in WINDOWS_1256:
            return text.encode("cp1256"), "text/html; charset=windows-1256"
        return text.encode("utf-8"), content_type

    def url(self, path: str) -> str:
        return self.base + path

    def asked(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path.split("?")[0] == path]

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def start(self) -> Site:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site() -> Iterator[Site]:
    served = Site().start()
    yield served
    served.stop()


@pytest.fixture
def slow_site() -> Iterator[Site]:
    served = Site(delay_s=3.0).start()
    yield served
    served.stop()
