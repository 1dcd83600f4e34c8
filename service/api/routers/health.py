"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from service.server.deps import ArchiveDep, FollowerDep

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness: the process answers")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: database reachable and migrated, index open and in step")
def readyz(archive: ArchiveDep, follower: FollowerDep) -> JSONResponse:
    checks: dict[str, str] = {}
    try:
        checks["database"] = "ok" if archive.is_migrated() else "migrations pending: run `arshif db upgrade`"
    except Exception as exc:  # noqa: BLE001 - readiness reports, never raises
        checks["database"] = f"unreachable: {type(exc).__name__}"
    try:
        archive.index.ensure()
        checks["index"] = (
            "ok" if archive.index.is_current else "built by another analyzer: run `arshif reindex`"
        )
    except Exception as exc:  # noqa: BLE001
        checks["index"] = f"cannot open: {type(exc).__name__}"
    if follower.error:
        checks["indexer"] = follower.error
    elif not follower.ready.is_set():
        checks["indexer"] = "reconciling the index with the database"
    else:
        checks["indexer"] = "ok"
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks}, status_code=200 if ready else 503
    )
