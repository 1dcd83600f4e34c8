"""The spelling-variant rules themselves (which spellings they propose); whether the index agrees is
tested end to end in test_search_engine.py and measured in bench/variants.py."""

import pytest

from service.search.variants import candidates, known_variants, split_candidates


@pytest.mark.parametrize(
    ("typed", "variant"),
    [
        ("ترامب", "ترمب"), ("ترمب", "ترامب"),
        ("نتنياهو", "نتانياهو"), ("نتانياهو", "نتنياهو"),
        ("بوتين", "بوتن"), ("بوتن", "بوتين"),
        ("غوغل", "جوجل"), ("جوجل", "غوغل"),
        ("سامسونج", "سامسونغ"),
        ("ميليشيا", "مليشيا"), ("ميليشيات", "مليشيات"),
        ("امريكا", "اميركا"),
        ("سوريا", "سوريه"), ("سوريه", "سوريا"),
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
