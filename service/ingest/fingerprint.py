"""Content fingerprints: an exact hash for identical bodies and MinHash for near-duplicates.

The normalization here is deliberately small and frozen (unlike the analyzer, which evolves): a hash
stored today must still match the same text after the analyzer changes.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
import unicodedata
import zlib
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import chain
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from datasketch import MinHash

NUM_PERM = 60
BANDS = 12  # 12 bands of 5 rows: pairs above ~0.6 Jaccard almost always share a band
ROWS = NUM_PERM // BANDS
NEAR_DUPLICATE_JACCARD = 0.5
SHINGLE = 3

_NOISE = re.compile(
    "[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
_WORD = re.compile(r"\w+")


@cache
def _template() -> tuple[type[MinHash], MinHash]:
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


def record_hash(
    content_hash: str, source_id: int | None, external_id: str | None, url: str | None, title: str | None
) -> str:
    """sha256 of a stored record's body and identity (source, external id, URL, title). The store keeps
    it unique, so the very same record cannot be stored twice even by two writers at once, while two
    records with one body and identities of their own are both kept. Frozen like the content hash:
    changing it needs a migration that recomputes the column."""
    identity = json.dumps([content_hash, source_id, external_id, url, title], ensure_ascii=False)
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()


_MIX = np.uint32(0x9E3779B1)
CHUNK_SHINGLES = 1 << 13  # shingles per numpy pass: 60 × 4 bytes each, a 2 MB work array that stays in cache


def _word_ids(normalized: str) -> list[int]:
    """CRC32 of each word's UTF-8 (stable across runs and machines). The normalized text is words
    joined by single ASCII spaces, and no UTF-8 byte of a non-ASCII character is ASCII, so splitting
    the encoded text gives the encoded words; crc32 over bytes is cheaper than any per-word cache."""
    return list(map(zlib.crc32, normalized.encode("utf-8").split()))


def _padded(ids: list[int]) -> list[int]:
    """A body shorter than SHINGLE words is one shingle, its words followed by zeros."""
    return ids + [0] * (SHINGLE - len(ids)) if len(ids) < SHINGLE else ids


@lru_cache(maxsize=500_000)
def _word_hash(word: str) -> int:
    return zlib.crc32(word.encode("utf-8"))


def _shingle_hashes(words: list[str]) -> np.ndarray:
    """32-bit hashes of every run of SHINGLE words, mixed in numpy from per-word CRC32s (stable across runs).
    One body at a time, for ``signature``, the reference that ``signatures`` is tested against."""
    ids = np.fromiter(map(_word_hash, words), dtype=np.uint64, count=len(words))
    if len(ids) < SHINGLE:
        ids = np.concatenate([ids, np.zeros(SHINGLE - len(ids), dtype=np.uint64)])
    mixed = np.zeros(len(ids) - SHINGLE + 1, dtype=np.uint64)
    for k in range(SHINGLE):
        mixed = (mixed * np.uint64(0x9E3779B1) + ids[k : len(ids) - SHINGLE + 1 + k]) & np.uint64(0xFFFFFFFF)
    return mixed  # repeated shingles change no minimum


def signature(body: str, *, normalized: str | None = None) -> np.ndarray:
    """One body's MinHash, computed by datasketch itself (the reference for ``signatures``)."""
    words = (normalized if normalized is not None else normalized_text(body)).split()
    minhash_class, template = _template()
    minhash = minhash_class(
        num_perm=NUM_PERM, permutations=template.permutations, scheme=template.scheme, hashfunc=int
    )
    minhash.update_batch(_shingle_hashes(words).tolist())
    return minhash.hashvalues.astype(np.uint32)


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutations for ``NUM_PERM`` and seed 1 (``MinHash._init_permutations``),
    drawn here so the store need not import datasketch (over a second: it pulls in scipy) in every
    process; a test checks they are the template's."""
    gen = np.random.RandomState(1)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, datasketch's pre-mix before the affine permutations."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def signatures(normalized: list[str]) -> list[np.ndarray]:
    """Many bodies' MinHashes with a few numpy passes per batch instead of several per body: the word
    ids of many bodies are laid end to end and mixed into shingles at once (the shingles that straddle
    two bodies are dropped), then datasketch's affine32 scheme (its MurmurHash3 pre-mix and its
    permutations ``a·h + b mod 2³²``) is applied as a (permutation × shingle) array, and a min per body
    is taken along the rows. The values are datasketch's own (the test suite checks them against
    ``signature``), so signatures stored by any earlier version still compare."""
    if not normalized:
        return []
    a, b = (p[:, None] for p in _permutations())
    out: list[np.ndarray] = []
    start = 0
    while start < len(normalized):
        bodies: list[list[int]] = []
        shingles = 0
        while start < len(normalized) and (not bodies or shingles < CHUNK_SHINGLES):
            ids = _padded(_word_ids(normalized[start]))
            bodies.append(ids)
            shingles += len(ids) - SHINGLE + 1
            start += 1
        lengths = np.fromiter(map(len, bodies), dtype=np.int64, count=len(bodies))
        words = np.fromiter(chain.from_iterable(bodies), dtype=np.uint32, count=int(lengths.sum()))
        mixed = np.zeros(len(words) - SHINGLE + 1, dtype=np.uint32)
        for k in range(SHINGLE):
            mixed *= _MIX
            mixed += words[k : len(words) - SHINGLE + 1 + k]
        # body i's shingles start where its words start; the last SHINGLE-1 of each straddle the next
        counts = lengths - SHINGLE + 1
        firsts = np.cumsum(lengths) - lengths
        inside = np.ones(len(words), dtype=bool)
        for k in range(1, SHINGLE):
            inside[firsts + lengths - k] = False
        own = _fmix32(mixed[inside[: len(mixed)]])
        permuted = a * own[None, :]
        permuted += b
        offsets = np.cumsum(counts) - counts
        out.extend(np.minimum.reduceat(permuted, offsets, axis=1).T.copy())
    return out


@dataclass(frozen=True, eq=False)
class Fingerprint:
    """What the store needs of a body to match and cluster it, computed where the record is parsed
    (``service.ingest.reader``) so the process that writes only has to write."""

    content_hash: str
    signature: np.ndarray


def fingerprints(bodies: list[str]) -> list[Fingerprint]:
    """Content hashes and MinHash signatures of many bodies, the signatures in one batch."""
    normalized = [normalized_text(body) for body in bodies]
    return [Fingerprint(content_hash_of(text), sig) for text, sig in zip(normalized, signatures(normalized))]


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
