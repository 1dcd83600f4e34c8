"""The snippet scan (service/search/spotting.py) on real Arabic news: it never misses a word analysis
would mark, and the snippet built from its places is the one analysing the whole text gives."""

import itertools
import json
import lzma
import random
from collections import defaultdict

import pytest

from service.analysis import Token, analyze, analyze_query_word
from service.search import highlight, spotting
from service.search.compile import Highlights
from service.search.marked import Marked
from tests.conftest import NEWS, SEEDS, needs_shared

pytestmark = needs_shared(NEWS)
ARTICLES = 200


@pytest.fixture(scope="module")
def texts() -> list[str]:
    with lzma.open(NEWS, "rt", encoding="utf-8") as corpus:
        records = [json.loads(line) for line in itertools.islice(corpus, 0, 40_000, 40_000 // ARTICLES)]
    seeds = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    return seeds + [t for r in records for t in (r.get("title"), r.get("body")) if t]


def looking_for(*words: str) -> Highlights:
    tokens = [tok for word in words for tok in analyze_query_word(word)]
    return Highlights(exact=frozenset(t.exact for t in tokens), stems=frozenset(t.stem for t in tokens))


def test_the_scan_finds_every_word_analysis_would_mark_by_its_stem_or_its_exact_form(texts) -> None:
    by_stem: dict[str, set[str]] = defaultdict(set)
    by_exact: dict[str, set[str]] = defaultdict(set)
    for text in texts:
        for tok in analyze(text):
            raw = text[tok.start : tok.end]
            if spotting.scannable(raw):
                by_stem[tok.stem].add(raw)
                by_exact[tok.exact].add(raw)
    missed = []
    for marks, raws in itertools.chain(
        ((Highlights(stems=frozenset([stem])), raws) for stem, raws in by_stem.items()),
        ((Highlights(exact=frozenset([exact])), raws) for exact, raws in by_exact.items()),
    ):
        scan = spotting.pattern(marks)
        assert scan is not None
        missed += [(marks, raw) for raw in raws if not scan.search(raw)]
    assert len(by_stem) > 4_000
    assert missed == []


@pytest.mark.parametrize(
    ("typed", "text", "marked"),
    [
        ("مستشفيات", "نقل الجرحى إلى المستشفى الميداني", ["المستشفى"]),  # stem مستشفي, written ى
        ("عليه", "وافق عليها المجلس", ["عليها"]),  # على, from علي + pronoun
        ("في", "قال فى بيانه", ["فى"]),  # a listed rewrite
        ("الرقة", "وصل الوفد للرقة أمس", ["للرقة"]),  # a listed name behind ل + ال
        ("الرقة", "معارك في الرقه", ["الرقه"]),  # the name with ه for ة
        ("القوات", "انسحبت القُوّاتُ من المدينة", ["القُوّاتُ"]),  # diacritics between the letters
        ("القوات", "انسحبت القـــوات من المدينة", ["القـــوات"]),  # tatweel
        ("أمريكا", "زار امريكا والولايات", ["امريكا"]),  # hamza forms
    ],
)
def test_words_the_stemmer_rewrites_are_still_found(typed: str, text: str, marked: list[str]) -> None:
    assert highlight.snippet(text, looking_for(typed)).words == marked
    assert highlight.highlight_all(text, looking_for(typed)).words == marked


def test_a_prefix_finds_the_words_that_start_with_it() -> None:
    marks = Highlights(prefixes=frozenset(["مستشف", "عل"]))
    text = "نقل الجرحى إلى مستشفى المدينة ووافق عليه المجلس"
    assert highlight.snippet(text, marks).words == ["مستشفى", "عليه"]


def reference(text: str, highlights: Highlights, size: int = highlight.FRAGMENT_TOKENS) -> Marked:
    """The snippet as it was made before the scan: the whole text analysed, every window weighed."""
    tokens = analyze(text)
    if not tokens:
        return Marked(text[:300])
    i, j = highlight.best_fragment(tokens, highlights, size)
    start = 0 if i == 0 else tokens[i].start
    end = len(text) if j >= len(tokens) else tokens[j - 1].end
    fragment = text[start:end]
    lead = len(fragment) - len(fragment.lstrip())
    before = "" if start == 0 else highlight.ELLIPSIS + " "
    after = "" if end >= len(text) else " " + highlight.ELLIPSIS
    shift = start + lead - len(before)
    return Marked(before + fragment.strip() + after, highlight.spans(tokens, highlights, start, end, shift))


def test_the_snippet_is_the_one_analysing_the_whole_text_gives(texts) -> None:
    rng = random.Random(17)
    bodies = [t for t in texts if len(t) <= highlight.LONG_TEXT]
    checked = 0
    for text in bodies:
        tokens: list[Token] = analyze(text)
        if not tokens:
            continue
        words = [rng.choice(tokens) for _ in range(rng.choice((1, 2, 3)))]
        other = analyze(rng.choice(bodies))[:50]  # words of another article, often absent from this one
        for marks in (
            Highlights(frozenset(t.exact for t in words), frozenset(t.stem for t in words)),
            Highlights(exact=frozenset(t.exact for t in words)),
            Highlights(exact=frozenset(t.exact for t in other), stems=frozenset(t.stem for t in other[:3])),
            Highlights(),
        ):
            assert highlight.snippet(text, marks) == reference(text, marks)
            checked += 1
    assert checked > 1_000


def test_a_text_in_presentation_forms_is_still_highlighted() -> None:
    text = "بيان ﺍﻟﻤﻘﺎﻭﻣﺔ اليوم"  # the middle word in Arabic presentation forms: NFKC folds it to المقاومة
    assert not spotting.scannable(text)
    assert highlight.snippet(text, looking_for("المقاومة")).words == ["ﺍﻟﻤﻘﺎﻭﻣﺔ"]
    assert spotting.scannable("قال… نعم\u00a0لا")  # non-NFKC characters outside words change nothing
