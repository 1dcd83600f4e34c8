"""The compiled core (service/analysis/_fast.c) gives exactly what the pure-Python path gives.

``make install``/``make install-dev`` build it; ``analyze`` and ``index_terms`` use it when it is there
and the pure-Python path (``analyze_py``, ``index_terms_py``) when it is not, so the two must never
differ: not on real news, not on random text mixing every kind of character the tokenizer treats apart.
"""

from __future__ import annotations

import json
import lzma
import re
from itertools import islice
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.analysis import pipeline, tokenizer
from service.analysis.tokenizer import EXTENDER, IGNORABLE_CLASS, LETTER, OTHER_START, SKIP

NEWS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "news" / "arabic_news.jsonl.xz"


def test_the_compiled_core_is_built_and_used() -> None:
    assert pipeline.COMPILED, "service/analysis/_fast.c is not built: run `make install-dev`"
    assert pipeline._analyze is pipeline._fast.analyze
    assert pipeline._index_terms is pipeline._fast.index_terms


def test_character_classes_are_the_tokenizers() -> None:
    """Each BMP code point's class is what the tokenizer's regex classes say, and they never overlap."""
    table = tokenizer.char_classes()
    letter = re.compile(f"[{tokenizer._L}]")
    word = re.compile(f"[{tokenizer._LE}]")
    ignorable = re.compile(f"[{tokenizer._IGN}]")
    other = re.compile(tokenizer._OTHER)
    for cp in range(0x10000):
        ch = chr(cp)
        kinds = (
            LETTER if letter.fullmatch(ch) else EXTENDER if word.fullmatch(ch) else None,
            IGNORABLE_CLASS if ignorable.fullmatch(ch) else None,
            OTHER_START if other.fullmatch(ch) else None,
        )
        found = [k for k in kinds if k is not None]
        assert len(found) <= 1, f"U+{cp:04X} is in two classes"
        assert table[cp] == (found[0] if found else SKIP), f"U+{cp:04X}"
    # beyond the BMP the core asks TOKEN_RE, which is right only if no Arabic or invisible class is there
    assert max(map(ord, tokenizer.ARABIC_LETTERS + tokenizer.ARABIC_EXTENDERS)) < 0x10000


def _same(text: str) -> None:
    assert pipeline.analyze(text) == pipeline.analyze_py(text)
    assert pipeline.index_terms(text) == pipeline.index_terms_py(text)


@pytest.mark.parametrize("bad", [None, 3, b"bytes", ["x"]])
def test_non_strings_give_nothing(bad: object) -> None:
    assert pipeline.analyze(bad) == pipeline.analyze_py(bad) == []
    assert pipeline.index_terms(bad) == pipeline.index_terms_py(bad) == ("", "")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ب",
        "a",
        "\u200f",
        "سو\u200fريا",  # a control between letters stays inside the word
        "سوريا\u200f",  # and a trailing one does not
        "سوريا\u200f\u200f a",
        "ب\u200f\u0640ت",  # an extender after the control continues the word
        "\u0640ب",  # an extender does not start one
        "ﷺ ﷽ ﻻ",
        "𝐀𝐁𝐂 𐎀 😀 a😀b",  # beyond the BMP
        "https://ar.wikipedia.org/wiki/سوريا_(بلد) نص",  # a URL running into Arabic letters
        "info@example.com، 1,500.25 ٣٫٥ ١٬٢٠٠",
        "cafe\u0301 e\u0301\u0301x \u0301x",
        "\x00\x01" + "ب" * 3 + "\udcff",  # controls and a lone surrogate
        "ب" * 100_000,
    ],
)
def test_edge_cases(text: str) -> None:
    _same(text)


ALPHABET = (
    "ابتثجحخدذرسشصضطظعغفقكلمنهويءآأإؤئىةٱ"
    "\u064b\u064e\u0651\u0652\u0670\u0640\u06d6"
    "\u200b\u200c\u200d\u200e\u200f\u061c\u00ad\ufeff\u2066\u034f"
    'ﻻﻷﷲﷺ﷽کیۀ٠١٢٣٤٥٦٧٨٩۰۱٫٬_#@.,:/%-+"«»()0123456789 \n\tabcXYZéñ\u0301'
    "𝐀😀𐎀日本ыह"
)
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.one_of(st.text(alphabet=ALPHABET, max_size=120), st.text(max_size=120)))
def test_random_text(text: str) -> None:
    _same(text)


@SETTINGS
@given(st.lists(st.sampled_from(["http://", "https://", "www.", "a@b", ".com", "x", "ب", "1", ".", ","])))
def test_random_links_and_numbers(parts: list[str]) -> None:
    _same("".join(parts))


@pytest.mark.skipif(not NEWS.exists(), reason="../shared not present")
def test_real_news() -> None:
    with lzma.open(NEWS, "rt", encoding="utf-8") as f:
        for line in islice(f, 500):
            article = json.loads(line)
            _same(article.get("title") or "")
            _same(article["body"])


def test_cache_misses_and_clears_midway(monkeypatch: pytest.MonkeyPatch) -> None:
    """The core takes forms from the pipeline's cache, which may be cleared while a text is analysed."""
    monkeypatch.setattr(pipeline, "CACHE_LIMIT", 2)
    pipeline.clear_caches()
    text = "واحد اثنان ثلاثة اربعة خمسة واحد one two ٣ واحد"
    assert pipeline.analyze(text) == pipeline.analyze_slow(text)
    assert pipeline.index_terms(text) == pipeline.index_terms_py(text)
    assert len(pipeline._WORDS) <= 2
    pipeline.clear_caches()
