"""The public API and the fast path: same tokens as the plain chain, on real news text too."""

from __future__ import annotations

import json
import lzma
from itertools import islice
from pathlib import Path

import pytest

from service import analysis
from service.analysis import (
    ANALYZER_VERSION,
    STOPWORDS,
    Token,
    analyze,
    analyze_query_word,
    normalize,
    pipeline,
    stem,
)
from service.analysis.normalize import fold_letters, strip_marks
from service.analysis.unicode import clean

NEWS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "news" / "arabic_news.jsonl.xz"
SEEDS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "seeds"


def test_public_names() -> None:
    assert set(analysis.__all__) >= {
        "analyze",
        "Token",
        "ANALYZER_VERSION",
        "STOPWORDS",
        "normalize",
        "stem",
        "analyze_query_word",
        "index_terms",
    }
    assert isinstance(ANALYZER_VERSION, str) and ANALYZER_VERSION
    assert isinstance(STOPWORDS, frozenset)


def test_token_is_immutable_and_named() -> None:
    tok = analyze("والقوات")[0]
    assert isinstance(tok, Token)
    assert tok == Token("والقوات", "قو", 0, 7, 0)
    assert (tok.exact, tok.stem, tok.start, tok.end, tok.position) == ("والقوات", "قو", 0, 7, 0)
    with pytest.raises(AttributeError):
        tok.exact = "x"


def test_issue_examples_end_to_end() -> None:
    text = 'غنت المتسابقتان معا في برنامج بـ"ذا فويس"'  # a made-up sentence with the issue's mixed token
    assert [t.exact for t in analyze(text)] == [
        "غنت",
        "المتسابقتان",
        "معا",
        "في",
        "برنامج",
        "ب",
        "ذا",
        "فويس",
    ]
    assert analyze("علي")[0].stem != analyze("على")[0].stem


@pytest.mark.parametrize("bad", [None, 3, b"bytes", ["x"]])
def test_never_raises_on_non_strings(bad: object) -> None:
    assert analyze(bad) == []


def test_query_words_analyze_like_documents() -> None:
    assert analyze_query_word("بالقوات") == analyze("بالقوات")
    assert [t.stem for t in analyze_query_word("قوات سوريا الديمقراطية")] == ["قو", "سوري", "ديمقراط"]


def test_normalize_and_stem_agree_with_analyze() -> None:
    for tok in analyze("وأكدت الحكومةُ السورية أنَّ ٣ مستشفيات أُغلقت"):
        assert normalize(tok.exact) == tok.exact
        assert stem(tok.exact) == tok.stem
    assert normalize("الحكومةُ السورية") == "الحكومة السورية"


def test_stopwords_are_exact_forms_and_spare_the_name_ali() -> None:
    assert {"على", "الى", "في", "من", "التي", "الذي", "هل", "كيف"} <= STOPWORDS
    assert "علي" not in STOPWORDS
    assert all(normalize(w) == w for w in STOPWORDS)


def test_analyze_keeps_stopwords() -> None:
    assert [t.exact for t in analyze("في على من")] == ["في", "على", "من"]


def test_one_pass_table_equals_the_chain() -> None:
    for word in ["الْعَرَبِــــــيَّة", "ﻷحمد", "مسؤول", "کتاب", "ٱلله", "ا\u0654", "سو\u200fريا"]:
        assert pipeline._normalize_word(word) == fold_letters(strip_marks(clean(word)))


def test_cache_limit_clears_and_stays_correct(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "CACHE_LIMIT", 3)
    pipeline._WORDS.clear()
    text = "واحد اثنان ثلاثة اربعة خمسة واحد"
    assert analyze(text) == pipeline.analyze_slow(text)
    assert len(pipeline._WORDS) <= 3
    pipeline._WORDS.clear()


def news_slice(n: int) -> list[str]:
    with lzma.open(NEWS, "rt", encoding="utf-8") as f:
        return [
            text
            for line in islice(f, n)
            for a in [json.loads(line)]
            for text in (a.get("title") or "", a["body"])
        ]


@pytest.mark.skipif(not NEWS.exists(), reason="../shared not present")
def test_fast_path_equals_chain_on_real_news() -> None:
    for text in news_slice(40):
        tokens = analyze(text)
        assert tokens == pipeline.analyze_slow(text)
        assert pipeline.index_terms(text) == (
            " ".join(t.exact for t in tokens),
            " ".join(t.stem for t in tokens),
        )
        for tok in tokens:
            assert text[tok.start : tok.end].strip() == text[tok.start : tok.end] != ""


@pytest.mark.skipif(not SEEDS.exists(), reason="../shared not present")
def test_seed_articles_analyze_with_true_offsets() -> None:
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        tokens = analyze(text)
        assert len(tokens) > 100
        assert [t.position for t in tokens] == list(range(len(tokens)))
        assert all(tokens[i].end <= tokens[i + 1].start for i in range(len(tokens) - 1))


@pytest.mark.skipif(not (NEWS.parents[1] / "anchors").exists(), reason="../shared not present")
def test_every_lucene_stopword_is_a_stopword() -> None:
    path = NEWS.parents[1] / "anchors" / "lucene_arabic_stopwords.txt"
    lucene = [
        w.strip()
        for w in path.read_text(encoding="utf-8").splitlines()
        if w.strip() and not w.startswith("#")
    ]
    assert len(lucene) == 119
    assert {normalize(w) for w in lucene} - {"علي"} <= STOPWORDS
