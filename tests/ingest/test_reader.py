"""The bulk reader process (parse and fingerprint beside the writer) against parsing in-process:
the same records in the same order, the same failures, and the same archive once stored."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from service.db import Article, ArticleBand, ArticleSignature
from service.ingest import fingerprint
from service.ingest.formats import ParsedArticle, RecordFailure
from service.ingest.pipeline import ingest
from service.ingest.reader import Fingerprinted, read_in_background
from service.ingest.run import records
from tests.conftest import NEWS, _migrated_archive, needs_shared, write_news

pytestmark = needs_shared(NEWS)


@pytest.fixture
def inputs(tmp_path: Path) -> list[Path | str]:
    """600 real articles (two reader chunks and more), their own repeats, and a file with broken records."""
    news = write_news(tmp_path / "a-news.jsonl", 600)
    lines = news.read_text(encoding="utf-8").splitlines()
    again = tmp_path / "b-again.jsonl"
    again.write_text("\n".join(lines[:50] + ["{broken", json.dumps({"title": "بلا نص"})]) + "\n", "utf-8")
    return [news, again, tmp_path / "c-missing.jsonl"]


def test_reader_yields_what_parsing_here_yields(inputs: list[Path | str]) -> None:
    here_bytes, there_bytes = [0], [0]
    here = list(records(inputs, lambda n: here_bytes.__setitem__(0, here_bytes[0] + n)))
    there = list(read_in_background(inputs, lambda n: there_bytes.__setitem__(0, there_bytes[0] + n)))
    assert len(there) == len(here) == 600 + 50 + 3
    assert there_bytes == here_bytes
    for mine, theirs in zip(here, there):
        if isinstance(mine, RecordFailure):
            assert theirs == mine
            continue
        assert isinstance(theirs, Fingerprinted) and isinstance(mine, ParsedArticle)
        assert ParsedArticle(**{k: v for k, v in vars(theirs).items() if k != "fingerprint"}) == mine
        normalized = fingerprint.normalized_text(mine.body)
        assert theirs.fingerprint is not None
        assert theirs.fingerprint.content_hash == fingerprint.content_hash_of(normalized)
        assert np.array_equal(theirs.fingerprint.signature, fingerprint.signature("", normalized=normalized))


def test_an_archive_stored_from_the_reader_is_the_same(inputs: list[Path | str], tmp_path: Path) -> None:
    stored = {}
    for name, stream in (
        ("here", records(inputs, lambda n: None)),
        ("reader", read_in_background(inputs, lambda n: None)),
    ):
        for archive in _migrated_archive(tmp_path / name, None):
            summary = ingest(archive, stream, batch_size=200)
            with archive.db.reading() as session:
                rows = session.execute(
                    select(Article.id, Article.cluster_id, Article.record_hash, Article.external_id).order_by(
                        Article.id
                    )
                ).all()
                signatures = session.execute(
                    select(ArticleSignature.article_id, ArticleSignature.minhash)
                ).all()
                bands = session.execute(select(ArticleBand.key, ArticleBand.article_id)).all()
            stored[name] = (
                summary.as_dict() | {"seconds": 0},
                rows,
                sorted(signatures),
                sorted(bands),
                archive.index.num_docs(),
            )
    assert stored["reader"] == stored["here"]
    summary = stored["here"][0]
    assert (summary["added"], summary["unchanged"], summary["failed"]) == (600, 50, 3)


def test_an_error_in_the_reader_is_raised_here() -> None:
    with pytest.raises(AssertionError):
        list(read_in_background(["not a path"], lambda n: None))
