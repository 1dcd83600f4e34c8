"""User-facing errors: one clear sentence in Arabic and English, a machine type, an HTTP status.

Anything raised as an ``ArshifError`` is the user's mistake or a known condition; the CLI prints it
as one line and the API answers it as RFC 9457 problem+json. Everything else is a bug.
"""

from __future__ import annotations


class ArshifError(Exception):
    status: int = 400
    type: str = "bad-request"
    retry_after: int | None = None  # seconds, for a 503 the client should retry
    exit_code: int = 1  # the CLI's exit status

    def __init__(
        self, message_ar: str, message_en: str, *, status: int | None = None, type: str | None = None
    ):
        super().__init__(message_en)
        self.message_ar = message_ar
        self.message_en = message_en
        if status is not None:
            self.status = status
        if type is not None:
            self.type = type

    def __str__(self) -> str:
        return f"{self.message_ar} — {self.message_en}"


class UsageError(ArshifError):
    """The command was asked for something it cannot do at all (an input that does not exist): the
    CLI exits 2, as for a bad option."""

    exit_code = 2


class NotFound(ArshifError):
    status = 404
    type = "not-found"


class QuerySyntaxError(ArshifError):
    type = "query-syntax"


class IndexUnavailable(ArshifError):
    status = 503
    type = "index-unavailable"
    retry_after = 5
