"""JSON request bodies parsed in a worker thread, one list item at a time.

FastAPI parses and validates a JSON body on the event loop: a large body stalls every other request
(``/healthz`` included) for as long as that takes. Here the bytes are read asynchronously, then decoded
in a thread item by item — so the interpreter can switch back to the loop between items — and a list
longer than the endpoint allows is refused at its first surplus item instead of after parsing it all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from email.message import Message
from typing import Any, TypeVar

import anyio.to_thread
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError

from service.errors import ArshifError

T = TypeVar("T")
_SPACE = re.compile(r"[ \t\n\r]*")


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    message = Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


def loads_capped(text: str, max_items: int, too_many: Callable[[], ArshifError]) -> Any:
    """``json.loads``, except that a top-level array is decoded one element at a time and refused
    (``too_many``) as soon as it has more than ``max_items`` elements."""
    start = _after_space(text, 0)
    if not text.startswith("[", start):
        return json.loads(text)
    decoder = json.JSONDecoder()
    items: list[Any] = []
    at = _after_space(text, start + 1)
    if text.startswith("]", at):
        end = at + 1
    else:
        while True:
            item, at = decoder.raw_decode(text, at)
            items.append(item)
            if len(items) > max_items:
                raise too_many()
            at = _after_space(text, at)
            if text.startswith(",", at):
                at = _after_space(text, at + 1)
            elif text.startswith("]", at):
                end = at + 1
                break
            else:
                raise json.JSONDecodeError("Expecting ',' delimiter", text, at)
    if _after_space(text, end) != len(text):
        raise json.JSONDecodeError("Extra data", text, end)
    return items


def _after_space(text: str, at: int) -> int:
    """Where the JSON whitespace from ``at`` on ends (``_SPACE`` matches even none, so it always matches)."""
    match = _SPACE.match(text, at)
    assert match is not None
    return match.end()


def _invalid(type_: str, msg: str, loc: tuple[Any, ...] = ("body",)) -> RequestValidationError:
    return RequestValidationError([{"type": type_, "loc": loc, "msg": msg, "input": None}])


def parse_json(
    raw: bytes,
    content_type: str | None,
    adapter: TypeAdapter[T],
    max_items: int,
    too_many: Callable[[], ArshifError],
) -> T:
    """Bytes → validated value, with the errors FastAPI gives for a JSON body (422 ``validation``)."""
    if not raw:
        raise _invalid("missing", "Field required")
    if not _is_json(content_type):
        raise _invalid("json_content_type", "the body must be JSON (Content-Type: application/json)")
    try:
        value = loads_capped(raw.decode("utf-8-sig"), max_items, too_many)
    except UnicodeDecodeError as exc:
        raise _invalid("json_invalid", "JSON decode error: not UTF-8", ("body", exc.start)) from None
    except json.JSONDecodeError as exc:
        raise _invalid("json_invalid", f"JSON decode error: {exc.msg}", ("body", exc.pos)) from None
    except RecursionError:
        raise ArshifError(
            "بنية JSON متداخلة بعمق أكبر من المسموح",
            "the JSON body is nested too deeply",
            type="json-too-deep",
        ) from None
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in exc.errors(include_url=False)]
        ) from None


def json_body(
    type_: Any, max_items: int, too_many: Callable[[], ArshifError]
) -> Callable[[Request], Awaitable[Any]]:
    """A dependency giving the request's JSON body as ``type_``, parsed off the event loop."""
    adapter: TypeAdapter[Any] = TypeAdapter(type_)

    async def dependency(request: Request) -> Any:
        raw = await request.body()
        content_type = request.headers.get("content-type")
        return await anyio.to_thread.run_sync(parse_json, raw, content_type, adapter, max_items, too_many)

    return dependency
