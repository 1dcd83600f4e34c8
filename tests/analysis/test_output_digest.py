"""The analyzer's output is pinned to ANALYZER_VERSION: a speed-up must not move a single term or offset.

The index stores ANALYZER_VERSION; documents analysed by different code with the same version would
silently disagree with the queries analysed today. So a sha256 over everything ``analyze`` returns
(exact, stem, start, end, position) and everything ``index_terms`` returns, for a fixed sample, is
recorded here next to the version it belongs to. If this test fails, either the change was meant to
be output-neutral and is wrong, or it changes terms on purpose: then bump ANALYZER_VERSION
(service/analysis/__init__.py) and record the new digests under the new version.

Two samples: hand-written edge cases (always run) and real text read from ../shared at test time (the
five seed articles and the first ``CORPUS_ARTICLES`` news articles; never copied into the repo).
"""

from __future__ import annotations

import hashlib
import json
import lzma
from collections.abc import Iterable
from itertools import islice
from pathlib import Path

import pytest

from service.analysis import ANALYZER_VERSION, analyze, index_terms

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
NEWS = SHARED / "news" / "arabic_news.jsonl.xz"
SEEDS = SHARED / "seeds"
CORPUS_ARTICLES = 2000

# version -> (digest of EDGE_CASES, digest of the real-text sample)
EXPECTED = {
    "ar-2": (
        "040b7164cf553fbe814e7aded7e9951d3ca851441b6b8627ab8f051be02e2d9f",
        "1dc4189d35a8061f9f813e66a20b07bbea122723949b0a465f9bcb464acb6030",
    ),
}

EDGE_CASES = [
    "",
    " \n\t ",
    # diacritics, shadda, tanween, superscript alef, Qur'anic marks, tatweel
    "الْعَرَبِــــــيَّةُ قالَ الوزيرُ كِتابٌ هٰذا رَحْمَٰنِ ٱلرَّحِيمِ ۖ ذَٰلِكَ",
    'بـ"ذا فويس" كـأس فـي مـن بـدر عـلى لـسكاي بـنسبة بـ2018 2018م',
    # hamza and alef forms, hamza seats, decomposed hamza/madda, alef maqsura and teh marbuta
    "أحمد إبراهيم آمال ٱلله مسؤول مسئول رئيس سائل شؤون ا\u0654 و\u0654 ا\u0653 على علي قوى قوي قدرة قدره",
    # digits of several scripts and numbers with separators
    "٧ شباط ٢٠١٨ ۱۳۹۷ 1,500 3.5 ٣٫٥ ١٬٢٠٠ ¼ ⑴ ²³ Ⅻ ٪ 10%",
    # presentation forms, multi-word ligatures, Persian and Urdu letters
    "ﻻ ﻷحمد ﷲ ﷺ ﷽ ﺍﻟﺴﻼﻡ کتاب یک ۀ ہ ھ ە گ پ چ ژ ڤ",
    # invisible controls inside and around words
    "سو\u200fريا \u200fدمشق\u200e ك\u200cتاب \ufeffحلب \u00adبيروت\u00ad \u2066القدس\u2069 ع\u034fمان",
    # mixed Arabic and Latin, case, accents, other scripts
    "قوات سوريا الديمقراطية (SDF) وiPhone و CNN عبر BBC Arabic İstanbul Straße café cafe\u0301 naïve ǅ ﬀ",
    "日本語 русский ελληνικά עברית हिन्दी 😀 ✓ — … « » ؟ ، ؛",
    # URLs and e-mail addresses
    (
        "https://www.bbc.com/arabic/x?a=%D8%A7. www.aljazeera.net/news، (http://example.org/path_(x)) "
        "HTTP://EXAMPLE.COM/A info@example.com Foo.Bar+x@Mail.Example.co.uk, a@b c@d.e"
    ),
    # hashtags, mentions, underscores
    "#عاصي_الحلاني @user_name #سوريا_الآن snake_case __init__",
    # clitics, pronouns, names, special words, prepositions with pronouns
    "والقوات وبالقوات فالقوات كالعادة للقوات وزارة لجنة بوتين عليه إليها لديهم الرقة درعا دير الزور",
    "الله لله اللهم فى التى الذى العليا بنات يساهم عشرون قالوا عاما رسميا سوريا امريكي لبناني سوري",
    "مستشفى مستشفيات مستوى ذكرى حكومتها قالوه المياه المياة مواجهة مواجهات المتسابقتان",
]


def _digest(texts: Iterable[str]) -> tuple[str, int]:
    """sha256 over analyze's tokens and index_terms' strings of each text, in order; and the token count."""
    h = hashlib.sha256()
    tokens = 0
    for text in texts:
        out = analyze(text)
        tokens += len(out)
        record = [[list(t) for t in out], list(index_terms(text))]
        h.update(json.dumps(record, ensure_ascii=False).encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest(), tokens


def _real_texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    with lzma.open(NEWS, "rt", encoding="utf-8") as f:
        for line in islice(f, CORPUS_ARTICLES):
            article = json.loads(line)
            texts += [article.get("title") or "", article["body"]]
    return texts


def _check(which: int, texts: list[str]) -> None:
    digest, tokens = _digest(texts)
    recorded = EXPECTED.get(ANALYZER_VERSION)
    assert recorded is not None, f"no digests recorded for {ANALYZER_VERSION!r}; this output gives {digest}"
    assert digest == recorded[which], (
        f"analyzer output changed ({tokens} tokens, digest {digest}) but ANALYZER_VERSION is still "
        f"{ANALYZER_VERSION!r}: undo the change, or bump the version and record the new digest"
    )


def test_edge_cases_output_is_pinned_to_the_version() -> None:
    _check(0, EDGE_CASES)


@pytest.mark.skipif(not (NEWS.exists() and SEEDS.exists()), reason="../shared not present")
def test_real_text_output_is_pinned_to_the_version() -> None:
    _check(1, _real_texts())
