"""RFC 9457 problem+json: the one builder of every error body the HTTP layer sends."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

PROBLEM_BASE = "https://arshif.invalid/problems/"


def problem_body(
    status: int, type_: str, detail: str, detail_ar: str, instance: str | None = None, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + type_,
        "title": type_,
        "status": status,
        "detail": detail,
        "detail_ar": detail_ar,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return body


def problem(
    status: int,
    type_: str,
    detail: str,
    detail_ar: str,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    return JSONResponse(
        problem_body(status, type_, detail, detail_ar, instance, **extra),
        status_code=status,
        media_type="application/problem+json",
        headers=headers,
    )
