"""Light stemming: issue examples, the labelled groups, and the comparison with Lucene and Snowball."""

from __future__ import annotations

import itertools

import pytest
import Stemmer

from service.analysis import normalize, stem
from service.analysis.stemmer import strip_suffixes
from tests.analysis.lucene_reference import lucene_normalize, lucene_stem
from tests.analysis.stem_groups import DIFFERENT, KNOWN_MISSES, SAME


def ours(word: str) -> str:
    return stem(normalize(word))


_snowball = Stemmer.Stemmer("arabic")


def snowball(word: str) -> str:
    return _snowball.stemWord(word)


def lucene(word: str) -> str:
    return lucene_stem(lucene_normalize(word))


STEMMERS = {"arshif": ours, "lucene": lucene, "snowball": snowball}


@pytest.mark.parametrize(
    "words",
    [
        ("مواجهات", "المواجهات", "مواجهة"),  # Snowball: مواجها vs مواجه
        ("القوات", "قوات", "قوة"),  # Snowball: القو vs قوا
        ("سورية", "السورية", "سوريا", "السوريين"),
    ],
)
def test_issue_examples_meet(words: tuple[str, ...]) -> None:
    assert len({ours(w) for w in words}) == 1, [ours(w) for w in words]


@pytest.mark.parametrize(("word", "not_this"), [("فبراير", "راير"), ("الحسينية", "حسين"), ("السورية", "سور")])
def test_issue_examples_not_overstemmed(word: str, not_this: str) -> None:
    assert ours(word) != not_this
    assert ours(word) != ours(not_this)


@pytest.mark.parametrize("group", SAME, ids=[g[0] for g in SAME])
def test_same_lemma_same_stem(group: list[str]) -> None:
    stems = {w: ours(w) for w in group}
    assert len(set(stems.values())) == 1, stems


@pytest.mark.parametrize("group", KNOWN_MISSES, ids=[g[0] for g in KNOWN_MISSES])
def test_known_misses_still_missed(group: list[str]) -> None:
    """If one of these starts to pass, move it to SAME."""
    assert len({ours(w) for w in group}) > 1


@pytest.mark.parametrize(("a", "b"), DIFFERENT, ids=[f"{a}-{b}" for a, b in DIFFERENT])
def test_unrelated_words_apart(a: str, b: str) -> None:
    assert ours(a) != ours(b)


def scores(fn) -> tuple[float, float, float]:
    """(share of groups fully merged, share of same-group word pairs merged, share of DIFFERENT kept apart),
    over SAME and KNOWN_MISSES together."""
    every = SAME + KNOWN_MISSES
    groups = sum(len({fn(w) for w in g}) == 1 for g in every) / len(every)
    pairs = [(a, b) for g in every for a, b in itertools.combinations(g, 2)]
    pair_recall = sum(fn(a) == fn(b) for a, b in pairs) / len(pairs)
    apart = sum(fn(a) != fn(b) for a, b in DIFFERENT) / len(DIFFERENT)
    return groups, pair_recall, apart


def test_better_than_lucene_and_snowball_on_the_labelled_set(capsys: pytest.CaptureFixture[str]) -> None:
    table = {name: scores(fn) for name, fn in STEMMERS.items()}
    with capsys.disabled():
        print("\nstemmer    groups merged  pairs merged  unrelated apart")
        for name, (g, p, a) in table.items():
            print(f"{name:<10} {g:13.2f} {p:13.2f} {a:16.2f}")
    mine = table["arshif"]
    for other in ("lucene", "snowball"):
        assert mine[0] > table[other][0] and mine[1] > table[other][1] and mine[2] > table[other][2]
    assert mine[2] == 1.0


def test_length_guards() -> None:
    assert ours("الو") == "الو"  # article needs two letters after it
    assert ours("وطن") == "وطن"  # a clitic needs three
    assert ours("قانون") == "قانون" and ours("مليون") == "مليون"  # ون needs four before it
    assert ours("بوتين") == "بوتين" and ours("تعيين") == "تعيين"


def test_non_arabic_is_its_own_stem() -> None:
    assert stem("english") == "english"
    assert stem("2018") == "2018"
    assert stem("") == ""


def test_suffix_steps() -> None:
    assert strip_suffixes("حكومتها") == "حكوم"  # ة written ت before a pronoun
    assert strip_suffixes("قواتهم") == "قو"
    assert strip_suffixes("عليه") == "على"  # preposition + pronoun, not the name
    assert strip_suffixes("مستشفى") == "مستشف"  # ى -> ي, then the long-stem ي
    assert strip_suffixes("على") == "على"  # 3 letters: ى kept


def test_radical_initial_list_holds_only_arabic_cores() -> None:
    from service.analysis.stemmer import RADICAL_INITIAL

    assert all(w and all("\u0621" <= c <= "\u064a" for c in w) for w in RADICAL_INITIAL)
    assert all(w[0] in "وبل" for w in RADICAL_INITIAL)
    # a listed core is its own stem, with or without clitics and article
    for core in ("وزير", "وجود", "بيان", "لاعب"):
        assert ours(core) == ours("ال" + core) == ours("و" + core) == core
