"""The spelling-variant rules themselves (which spellings they propose); whether the index agrees is
tested end to end in test_search_engine.py and measured in bench/variants.py."""

import pytest

from service.search.variants import candidates, known_variants, orthographic, split_candidates


@pytest.mark.parametrize(
    ("typed", "variant"),
    [
        ("ترامب", "ترمب"),
        ("ترمب", "ترامب"),
        ("نتنياهو", "نتانياهو"),
        ("نتانياهو", "نتنياهو"),
        ("بوتين", "بوتن"),
        ("بوتن", "بوتين"),
        ("غوغل", "جوجل"),
        ("جوجل", "غوغل"),
        ("سامسونج", "سامسونغ"),
        ("ميليشيا", "مليشيا"),
        ("ميليشيات", "مليشيات"),
        ("امريكا", "اميركا"),
        ("سوريا", "سوريه"),
        ("سوريه", "سوريا"),
    ],
)
def test_rules_propose_the_known_variant(typed: str, variant: str) -> None:
    assert variant in candidates(typed)


def test_short_words_get_no_variants() -> None:
    assert candidates("علي") == set()
    assert candidates("قتل") == set()


def test_latin_words_get_no_variants() -> None:
    assert candidates("google") == set()


def test_one_word_can_be_read_as_two() -> None:
    assert ("فيس", "بوك") in split_candidates("فيسبوك")
    assert ("دير", "الزور") in split_candidates("ديرالزور")


def test_only_variants_the_index_holds_often_enough_are_kept() -> None:
    frequencies = {"ترامب": 3637, "ترمب": 535, "تريمب": 1, "تراامب": 0}
    kept = known_variants("ترامب", lambda w: frequencies.get(w, 0))
    assert kept == [("ترمب", 535)]
    # a rare spelling typed by the user still finds the common one
    assert known_variants("ترمب", lambda w: frequencies.get(w, 0))[0] == ("ترامب", 3637)


@pytest.mark.parametrize(
    ("typed", "variant"),
    [
        ("جونغ", "جونج"),
        ("جونج", "جونغ"),  # one of two g-class letters moves
        ("فنزويلا", "ونزويلا"),
        ("ونزويلا", "فنزويلا"),
        ("ڤيتنام", "ويتنام"),
        ("ويتنام", "فيتنام"),
    ],
)
def test_rules_propose_one_letter_swaps_and_the_initial_v(typed: str, variant: str) -> None:
    assert variant in candidates(typed)


def test_a_waw_inside_the_word_is_a_vowel_not_a_v() -> None:
    assert "ففلكس" not in candidates("فولكس")  # only an initial و stands for v
    assert "فولكف" not in candidates("فولكس")


def test_orthographic_endings_are_the_final_letter_only() -> None:
    assert orthographic("الحكومة") == ["الحكومه"]
    assert orthographic("الاقصى") == ["الاقصي"]
    assert orthographic("هدية") == ["هديه"]
    assert orthographic("سلام") == []
