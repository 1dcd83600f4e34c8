"""Content fingerprints: an exact hash for identical bodies and MinHash for near-duplicates.

The normalization here is deliberately small and frozen (unlike the analyzer, which evolves): a hash
stored today must still match the same text after the analyzer changes.
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
import zlib
from functools import cache

import numpy as np

NUM_PERM = 60
BANDS = 12  # 12 bands of 5 rows: pairs above ~0.6 Jaccard almost always share a band
ROWS = NUM_PERM // BANDS
NEAR_DUPLICATE_JACCARD = 0.5
SHINGLE = 3

_NOISE = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_WORD = re.compile(r"\w+")


@cache
def _template():  # type: ignore[no-untyped-def]
    """Shared permutations, so all signatures are comparable. (datasketch is imported on first use:
    importing it costs over a second, which every CLI command would otherwise pay.)"""
    from datasketch import MinHash

    return MinHash, MinHash(num_perm=NUM_PERM, seed=1)


def normalized_text(text: str) -> str:
    """NFKC, no diacritics or tatweel, case-folded, one space between words."""
    text = _NOISE.sub("", unicodedata.normalize("NFKC", text)).casefold()
    return " ".join(_WORD.findall(text))


def content_hash(body: str) -> str:
    return hashlib.sha256(normalized_text(body).encode("utf-8")).hexdigest()


def content_hash_of(normalized: str) -> str:
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


def _shingle_hashes(words: list[str]) -> np.ndarray:
    """32-bit hashes of every run of SHINGLE words, mixed in numpy from per-word CRC32s (stable across runs)."""
    ids = np.fromiter((zlib.crc32(w.encode("utf-8")) for w in words), dtype=np.uint64, count=len(words))
    if len(ids) < SHINGLE:
        ids = np.concatenate([ids, np.zeros(SHINGLE - len(ids), dtype=np.uint64)])
    mixed = np.zeros(len(ids) - SHINGLE + 1, dtype=np.uint64)
    for k in range(SHINGLE):
        mixed = (mixed * np.uint64(0x9E3779B1) + ids[k : len(ids) - SHINGLE + 1 + k]) & np.uint64(0xFFFFFFFF)
    return np.unique(mixed)


def signature(body: str, *, normalized: str | None = None) -> np.ndarray:
    words = (normalized if normalized is not None else normalized_text(body)).split()
    minhash_class, template = _template()
    minhash = minhash_class(num_perm=NUM_PERM, permutations=template.permutations, scheme=template.scheme, hashfunc=int)
    minhash.update_batch(_shingle_hashes(words).tolist())
    return minhash.hashvalues.astype(np.uint32)


def band_keys(sig: np.ndarray) -> list[int]:
    """One signed 63-bit key per band (band number mixed in), for the ``article_bands`` table."""
    keys = []
    for band in range(BANDS):
        chunk = sig[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(chunk, digest_size=8, person=struct.pack("<Q", band)).digest()
        keys.append(int.from_bytes(digest, "little", signed=True) >> 1)
    return keys


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two bodies' shingle sets."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


def to_bytes(sig: np.ndarray) -> bytes:
    return sig.astype("<u4").tobytes()


def from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u4")
