"""What one ingest request may cost: decompressed bytes, lines or records, seconds, and a live client.

The parsers charge the budget as they read (bytes under the decompressed stream, every line of a JSON
Lines file including blank ones, every JSON value and WARC record); the first charge over a cap, or
past the time budget, or after the client has gone, raises ``IngestStopped``. The pipeline then
stores the complete records it already holds, so nothing is half-written, and re-raises it with how
far the run got. ``arshif ingest`` on local files runs without a budget.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from service.errors import ArshifError

# How often (seconds) the client is asked whether it is still there: asking costs a trip to the event loop.
POLL_SECONDS = 0.25


class IngestStopped(ArshifError):
    """An ingest request stopped before the end of its input (a cap, the time budget, the client left)."""

    status = 413
    type = "ingest-limit"

    def __init__(self, reason_ar: str, reason_en: str, *, status: int | None = None, type: str | None = None):
        super().__init__(reason_ar, reason_en, status=status, type=type)
        self.reason_ar, self.reason_en = reason_ar, reason_en

    def after(self, stored: int, failed: int, last_origin: str | None) -> IngestStopped:
        """The same stop, told with how far the run got: what was stored before it, and where."""
        if stored or failed:
            where_en = f" after {last_origin}" if last_origin else ""
            where_ar = f" بعد {last_origin}" if last_origin else ""
            en = (
                f"{self.reason_en}; the run stopped{where_en}: {stored:,} record(s) before that point were stored "
                f"and {failed:,} failed; nothing after it was read"
            )
            ar = (
                f"{self.reason_ar}؛ توقّف الإدخال{where_ar}: عدد السجلات المحفوظة قبل ذلك {stored:,} "
                f"والفاشلة {failed:,}، ولم يُقرأ شيء بعده"
            )
        else:
            en, ar = f"{self.reason_en}; nothing was stored", f"{self.reason_ar}؛ لم يُحفظ شيء"
        stopped = IngestStopped(ar, en, status=self.status, type=self.type)
        stopped.reason_ar, stopped.reason_en = self.reason_ar, self.reason_en
        return stopped


@dataclass
class IngestBudget:
    """Caps for one request (None: no cap) and what it has used so far."""

    max_bytes: int | None = None
    max_records: int | None = None
    max_seconds: float | None = None
    client_gone: Callable[[], bool] | None = None
    bytes_read: int = 0
    records_read: int = 0
    input: str = ""  # the input being read, for the messages
    started: float = field(default_factory=time.monotonic)
    _next_poll: float = 0.0

    def charge(self, *, nbytes: int = 0, records: int = 0) -> None:
        self.bytes_read += nbytes
        self.records_read += records
        where_en = f" (while reading {self.input})" if self.input else ""
        where_ar = f" (أثناء قراءة {self.input})" if self.input else ""
        if self.max_bytes is not None and self.bytes_read > self.max_bytes:
            raise IngestStopped(
                f"حجم الملفات المرفوعة بعد فك ضغطها يتجاوز الحد ({self.max_bytes:,} بايت، ARSHIF_MAX_INGEST_BYTES){where_ar}",
                f"the upload holds more than {self.max_bytes:,} bytes once decompressed "
                f"(ARSHIF_MAX_INGEST_BYTES){where_en}",
            )
        if self.max_records is not None and self.records_read > self.max_records:
            raise IngestStopped(
                f"عدد الأسطر أو السجلات في الملفات المرفوعة يتجاوز الحد ({self.max_records:,}، "
                f"ARSHIF_MAX_INGEST_RECORDS){where_ar}",
                f"the upload holds more than {self.max_records:,} lines or records, blank lines included "
                f"(ARSHIF_MAX_INGEST_RECORDS){where_en}",
            )
        now = time.monotonic()
        if self.max_seconds is not None and now - self.started > self.max_seconds:
            raise IngestStopped(
                f"استغرقت معالجة الملفات المرفوعة أكثر من الحد ({self.max_seconds:g} ثانية، "
                f"ARSHIF_MAX_INGEST_SECONDS){where_ar}",
                f"processing the upload took longer than {self.max_seconds:g} seconds "
                f"(ARSHIF_MAX_INGEST_SECONDS){where_en}",
            )
        if self.client_gone is not None and now >= self._next_poll:
            self._next_poll = now + POLL_SECONDS
            if self.client_gone():
                raise IngestStopped(
                    f"أغلق العميل الاتصال فتوقّفت معالجة الملفات المرفوعة{where_ar}",
                    f"the client closed the connection, so the upload was not processed further{where_en}",
                    status=499,
                    type="client-closed-request",
                )
