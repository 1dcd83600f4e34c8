"""MinHash signatures: the batched computation the store uses against datasketch's own, on real news."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from service.ingest import fingerprint
from tests.conftest import NEWS, needs_shared, write_news


@needs_shared(NEWS)
def test_batch_signatures_equal_datasketch_on_real_articles(tmp_path: Path) -> None:
    """``signatures`` lays many bodies end to end and works a chunk of shingles at a time; over real
    articles (several chunks, bodies of every length, a body cut across two chunks) each signature
    must still be the one datasketch gives for that body alone, so stored signatures keep comparing."""
    path = write_news(tmp_path / "news.jsonl", 300)
    bodies = [json.loads(line)["body"] for line in path.read_text(encoding="utf-8").splitlines()]
    normalized = [fingerprint.normalized_text(b) for b in bodies]
    normalized[100:100] = ["", "كلمة", "كلمتان اثنتان", "ثلاث كلمات هنا"]  # short bodies mid-batch
    assert sum(len(t.split()) for t in normalized) > 3 * fingerprint.CHUNK_SHINGLES
    batch = fingerprint.signatures(normalized)
    assert len(batch) == len(normalized)
    for text, sig in zip(normalized, batch):
        assert np.array_equal(sig, fingerprint.signature("", normalized=text))
    assert fingerprint.signatures([]) == []


def test_permutations_are_datasketchs() -> None:
    """The store draws datasketch's permutations itself (importing datasketch costs over a second)."""
    _, template = fingerprint._template()
    a, b = fingerprint._permutations()
    assert template.scheme == "affine32"
    assert np.array_equal(a, template.permutations[0]) and np.array_equal(b, template.permutations[1])
