"""The names filter: a listed name, with any clitics and either ة/ه ending, has one stem, and no other
word shares it (the confusables of docs/analysis.md: برقية، الرق، برقة، درع، الدرع)."""

from __future__ import annotations

import pytest

from service.analysis import analyze, normalize, stem
from service.analysis.names import NAME_MARK, NAMES, is_name, name_stem
from tests.analysis.place_names import CONFUSABLES, surface_forms
from tests.analysis.stem_groups import DIFFERENT, KNOWN_MISSES, SAME


def ours(word: str) -> str:
    return stem(normalize(word))


@pytest.mark.parametrize("name", sorted(NAMES))
def test_every_form_of_a_listed_name_has_the_name_as_its_stem(name: str) -> None:
    forms = surface_forms(name)
    assert len(forms) >= 12  # و ف × (ب ك ل, the article) × ة/ه
    stems = {form: ours(form) for form in forms}
    assert set(stems.values()) == {NAME_MARK + name}, stems


@pytest.mark.parametrize(
    ("name", "other"), [(n, w) for n, words in CONFUSABLES.items() for w in words], ids=lambda v: v
)
def test_confusables_do_not_share_the_name_stem(name: str, other: str) -> None:
    assert ours(other) != ours(name)
    assert not is_name(other)


def test_the_issue_examples() -> None:
    assert ours("الرقة") == ours("الرقه") == ours("بالرقة") == ours("للرقه") == "=الرقة"
    assert ours("برقة") != ours("الرقة") != ours("الرق")  # Barqa (Libya) and "slavery" stay apart
    assert ours("درعا") == ours("ودرعا") == "=درعا" != ours("درع") == ours("الدرع")
    assert ours("بعقوبة") == "=بعقوبة" != ours("عقوبة")  # ب is a radical here, not "with"


def test_a_name_listed_without_the_article_is_not_the_word_with_it() -> None:
    """العون "the help", البرية "the wilderness", للعون: other words, their ordinary stems."""
    assert ours("عون") == ours("وعون") == ours("بعون") == "=عون"
    assert ours("العون") == ours("للعون") == ours("عونا") == "عون"
    assert ours("البري") == ours("البرية") == "بري" != ours("بري")


def test_a_name_with_the_article_is_not_the_bare_word() -> None:
    assert ours("الخليل") == ours("بالخليل") == ours("للخليل") == "=الخليل" != ours("خليل")
    assert ours("الصدر") != ours("صدر")  # مقتدى الصدر / صدر "issued"


def test_the_filter_alone() -> None:
    assert name_stem("الرقه") == name_stem("للرقة") == name_stem("فبالرقة") == "=الرقة"
    assert name_stem("كغزة") == name_stem("وبغزه") == "=غزة"
    assert name_stem("العون") is None and name_stem("للعون") is None  # the article: "the help"
    assert name_stem("كوبري") is None  # "bridge": و cannot follow ك
    assert name_stem("درع") is None and name_stem("الرق") is None


def test_names_are_normalized_arabic_words() -> None:
    assert all(normalize(n) == n and len(analyze(n)) == 1 for n in NAMES)
    assert all(not n.endswith("ه") for n in NAMES)  # listed with ة; ه is read as ة


def test_no_ordinary_word_gets_a_name_stem() -> None:
    words = {w for group in SAME + KNOWN_MISSES for w in group} | {w for pair in DIFFERENT for w in pair}
    marked = {w for w in words if ours(w).startswith(NAME_MARK)}
    assert marked == set(), marked
    tokens = analyze("قال الوزير = عون في بيان ان القوات وصلت الى الرقة")
    assert [t.stem for t in tokens if t.stem.startswith(NAME_MARK)] == ["=عون", "=الرقة"]  # "=" is no word
