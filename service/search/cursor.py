"""Search cursors: the next page's offset, signed so that only the server's own cursors are taken back.

A cursor is ``base64url(json) "." base64url(hmac-sha256)``; the JSON holds the offset and the
search's fingerprint. The key is ``ARSHIF_CURSOR_KEY`` if set (every node of a cluster must share
one), otherwise 32 random bytes kept in ``<data_dir>/cursor.key`` (mode 0600), made on first use and
shared by every worker process of that data directory. Whatever a client sends, a decoded offset is
an int within ``[0, max_offset]``, or the cursor is refused as ``invalid-cursor``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import os
import secrets
from pathlib import Path

from service.errors import ArshifError

log = logging.getLogger(__name__)
KEY_FILE = "cursor.key"
KEY_BYTES = 32
MAX_CURSOR_CHARS = 500
_EPHEMERAL_KEY = secrets.token_bytes(KEY_BYTES)


def _invalid() -> ArshifError:
    return ArshifError(
        "مؤشر الصفحة غير صالح أو معدَّل؛ ابدأ البحث من صفحته الأولى",
        "invalid or altered cursor; start the search again from its first page",
        type="invalid-cursor",
    )


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CursorCodec:
    def __init__(self, key: bytes, max_offset: int) -> None:
        if len(key) < KEY_BYTES:
            raise ValueError(f"a cursor key needs at least {KEY_BYTES} bytes")
        self._key = key
        self.max_offset = max_offset

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()

    def encode(self, fingerprint: str, offset: int) -> str:
        payload = json.dumps({"o": offset, "h": fingerprint}, separators=(",", ":")).encode()
        return f"{_b64encode(payload)}.{_b64encode(self._sign(payload))}"

    def decode(self, fingerprint: str, cursor: str) -> int:
        """The offset a cursor of this server carries for the search with ``fingerprint``."""
        if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR_CHARS or cursor.count(".") != 1:
            raise _invalid()
        body, signature = cursor.split(".")
        try:
            payload, mac = _b64decode(body), _b64decode(signature)
        except (ValueError, binascii.Error):
            raise _invalid() from None
        if not hmac.compare_digest(mac, self._sign(payload)):
            raise _invalid()
        try:
            data = json.loads(payload)
        except ValueError:
            raise _invalid() from None
        offset = data.get("o") if isinstance(data, dict) else None
        # signed by us, so never expected to fail; checked anyway, since the offset goes to the index
        if type(offset) is not int or not 0 <= offset <= self.max_offset:
            raise _invalid()
        if data.get("h") != fingerprint:
            raise ArshifError(
                "مؤشر الصفحة لا يخص هذا البحث", "the cursor belongs to another search", type="invalid-cursor"
            )
        return offset


def cursor_key(data_dir: Path, configured: str | None = None) -> bytes:
    """The key derived from the configured secret, or the data directory's own, made on first use."""
    if configured:
        return hashlib.sha256(b"arshif cursor key:" + configured.encode()).digest()
    try:
        return _key_file(data_dir)
    except OSError as exc:  # a read-only data directory: cursors then hold within this process only
        log.warning(
            "cannot keep the cursor key in the data directory; using a key of this process only",
            extra={"fields": {"error": str(exc)}},
        )
        return _EPHEMERAL_KEY


def _key_file(data_dir: Path) -> bytes:
    path = data_dir / KEY_FILE
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        key = b""
    if len(key) >= KEY_BYTES:
        return key
    data_dir.mkdir(parents=True, exist_ok=True)
    # Written whole under a temporary name, then linked into place: a concurrent worker either wins
    # the link (and everyone reads its key) or finds the finished file; nobody reads half a key.
    tmp = data_dir / f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(KEY_BYTES))
            out.flush()
            os.fsync(out.fileno())
        if key:  # a damaged (short) key file: replace it
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_bytes()
