"""A polite crawler: robots.txt (and its Crawl-delay), one request at a time per host with a delay,
conditional GET, limits.

Only http and https; only the hosts the caller allows (a subscription's own host and the ones it
lists); redirects followed by hand, at most ``MAX_REDIRECTS``, each hop checked like the first
request; bodies read as a stream and cut at ``max_bytes``; a whole request bounded by ``timeout``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Self
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from service.ingest.formats.encoding import charset_from_content_type

MAX_REDIRECTS = 5
ROBOTS_MAX_BYTES = 512 * 1024
ROBOTS_AGENT = "ArshifBot"
DISALLOW_ALL = ["User-agent: *", "Disallow: /"]
MAX_CRAWL_DELAY_S = 30.0  # a robots.txt Crawl-delay is honoured up to this


class FetchError(Exception):
    """A fetch that gave nothing usable; the message is one line, in English and Arabic."""

    def __init__(self, message_en: str, message_ar: str) -> None:
        super().__init__(f"{message_en} / {message_ar}")
        self.message_en = message_en
        self.message_ar = message_ar


class Disallowed(FetchError):
    """robots.txt (or the subscription's hosts) forbid the address: it was not requested."""


@dataclass
class Fetched:
    url: str  # the final address, after redirects
    status: int  # 200, or 304 for a conditional request that found nothing new
    body: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None

    @property
    def charset(self) -> str | None:
        return charset_from_content_type(self.content_type)


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


@dataclass
class Crawler:
    user_agent: str
    delay_s: float = 1.0
    timeout_s: float = 20.0
    max_bytes: int = 10 * 1024 * 1024
    _client: httpx.Client = field(init=False, repr=False)
    _robots: dict[str, RobotFileParser | FetchError | None] = field(
        default_factory=dict, init=False, repr=False
    )
    _last: dict[str, float] = field(default_factory=dict, init=False, repr=False)
    _crawl_delay: dict[str, float] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        self._client = httpx.Client(
            headers={"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(self.timeout_s),
            follow_redirects=False,
            trust_env=False,  # the operator's subscriptions are fetched directly, never through a proxy variable
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what may be fetched -------------------------------------------------------------------

    @staticmethod
    def check_address(url: str, hosts: Iterable[str]) -> None:
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError for a port out of range
        except ValueError:
            raise Disallowed(f"not a valid address: {url[:200]}", "العنوان غير صالح") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise Disallowed(f"not an http(s) address: {url[:200]}", "العنوان ليس عنوان http أو https")
        if parts.hostname.lower() not in {h.lower() for h in hosts}:
            raise Disallowed(
                f"host {parts.hostname} is not the subscription's (allow it on the feed to follow it)",
                f"المضيف {parts.hostname} ليس مضيف الاشتراك",
            )

    def allowed_by_robots(self, url: str) -> bool:
        origin = _origin(url)
        if origin not in self._robots:
            try:
                self._robots[origin] = self._read_robots(origin)
            except FetchError as exc:
                # a site that does not answer for its robots.txt is not crawled this round, and not
                # asked again for it: each later address on it fails with the same reason at once
                self._robots[origin] = exc
        rules = self._robots[origin]
        if isinstance(rules, FetchError):
            raise FetchError(rules.message_en, rules.message_ar)
        return True if rules is None else rules.can_fetch(ROBOTS_AGENT, url)

    def _read_robots(self, origin: str) -> RobotFileParser | None:
        """The site's rules (None: no robots.txt, everything allowed). As urllib.robotparser does: 401
        or 403 disallow everything, another 4xx allows everything; a server error disallows
        everything for this round (a site that cannot say what it allows is not crawled)."""
        rules = RobotFileParser(origin + "/robots.txt")
        status, body, _ = self._send("GET", origin + "/robots.txt", {}, ROBOTS_MAX_BYTES)
        if status in (401, 403) or status >= 500:
            rules.parse(DISALLOW_ALL)
            return rules
        if status >= 400 or status in (301, 302, 303, 307, 308):
            return None
        rules.parse(body.decode("utf-8", "replace").splitlines())
        asked = rules.crawl_delay(ROBOTS_AGENT)
        if asked:  # the site's own pause between requests, when longer than ours (within reason)
            self._crawl_delay[host_of(origin)] = min(float(asked), MAX_CRAWL_DELAY_S)
        return rules

    # -- fetching ------------------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        hosts: Iterable[str],
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = "*/*",
    ) -> Fetched:
        """GET ``url`` (conditional when validators are given), following redirects within ``hosts``.
        Raises ``Disallowed`` before any request robots.txt or the hosts forbid, ``FetchError`` else."""
        hosts = list(hosts)
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            self.check_address(current, hosts)
            if not self.allowed_by_robots(current):
                raise Disallowed(
                    f"robots.txt disallows {current[:200]}", "ملف robots.txt يمنع جلب هذه الصفحة"
                )
            status, body, response_headers = self._send("GET", current, headers, self.max_bytes)
            if status in (301, 302, 303, 307, 308):
                location = response_headers.get("location")
                if not location:
                    raise FetchError(f"HTTP {status} without a Location", f"تحويل HTTP {status} بلا عنوان")
                current = urljoin(current, location)
                continue
            if status == 304:
                return Fetched(current, 304, etag=etag, last_modified=last_modified)
            if status != 200:
                raise FetchError(f"HTTP {status} for {current[:200]}", f"أجاب الخادم بالرمز {status}")
            return Fetched(
                current,
                200,
                body,
                response_headers.get("content-type", ""),
                response_headers.get("etag"),
                response_headers.get("last-modified"),
            )
        raise FetchError(
            f"more than {MAX_REDIRECTS} redirects from {url[:200]}", f"أكثر من {MAX_REDIRECTS} تحويلات"
        )

    def _wait_turn(self, host: str) -> None:
        """One request at a time per host, ``delay_s`` apart (the crawler is used by one thread at a
        time; the lock keeps that true if it ever is not)."""
        last = self._last.get(host)
        if last is not None:
            pause = max(self.delay_s, self._crawl_delay.get(host, 0.0)) - (time.monotonic() - last)
            if pause > 0:
                time.sleep(pause)

    def _send(
        self, method: str, url: str, headers: dict[str, str], max_bytes: int
    ) -> tuple[int, bytes, httpx.Headers]:
        host = host_of(url)
        with self._lock:
            self._wait_turn(host)
            deadline = time.monotonic() + self.timeout_s
            try:
                with self._client.stream(method, url, headers=headers) as response:
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > max_bytes:
                        raise FetchError(
                            f"{url[:200]} is larger than {max_bytes:,} bytes",
                            "الملف أكبر من الحد المسموح",
                        )
                    chunks: list[bytes] = []
                    size = 0
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                        if size > max_bytes:
                            raise FetchError(
                                f"{url[:200]} is larger than {max_bytes:,} bytes",
                                "الملف أكبر من الحد المسموح",
                            )
                        if time.monotonic() > deadline:
                            raise FetchError(
                                f"{url[:200]} took longer than {self.timeout_s:g} s",
                                "استغرق الجلب أطول من المهلة",
                            )
                        chunks.append(chunk)
                    return response.status_code, b"".join(chunks), response.headers
            except httpx.TimeoutException:
                raise FetchError(
                    f"no answer from {host} within {self.timeout_s:g} s", f"لم يُجب {host} خلال المهلة"
                ) from None
            except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
                raise FetchError(
                    f"cannot fetch {url[:200]}: {type(exc).__name__}: {str(exc)[:200]}",
                    f"تعذّر الجلب من {host}",
                ) from None
            finally:
                self._last[host] = time.monotonic()
