"""The query language: every operator, Arabic and Latin forms, and malformed input repaired, not refused."""

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.errors import QuerySyntaxError
from service.search.query import And, FacetFilter, Not, Or, Phrase, Term, parse, parse_date_bound


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_words_are_all_required() -> None:
    assert parse("سوريا تركيا").root == And((Term("سوريا"), Term("تركيا")))


def test_or_binds_looser_than_and_and_arabic_aw_is_a_word() -> None:
    root = parse("سوريا OR تركيا أو العراق").root
    assert root == Or((Term("سوريا"), And((Term("تركيا"), Term("أو"), Term("العراق")))))
    assert parse("سوريا | تركيا").root == Or((Term("سوريا"), Term("تركيا")))


def test_negation_with_minus_and_not() -> None:
    assert parse("سوريا -داعش").root == And((Term("سوريا"), Not(Term("داعش"))))
    assert parse("سوريا NOT داعش").root == And((Term("سوريا"), Not(Term("داعش"))))
    # lower-case "not" and a hyphen inside a word are ordinary text
    assert parse("not").root == Term("not")
    assert parse("كوريا-الشمالية").root == Term("كوريا-الشمالية")


@pytest.mark.parametrize("text", ['"دير الزور"', "«دير الزور»", "“دير الزور”"])
def test_phrases_in_latin_and_arabic_quotes(text: str) -> None:
    assert parse(text).root == Phrase("دير الزور")


def test_prefix_and_fuzzy() -> None:
    assert parse("ترام*").root == Term("ترام", prefix=True)
    assert parse("بوتين~").root == Term("بوتين", fuzzy=1)
    assert parse("بوتين~2").root == Term("بوتين", fuzzy=2)


def test_parentheses_group() -> None:
    root = parse("(العراق OR سوريا) داعش").root
    assert root == And((Or((Term("العراق"), Term("سوريا"))), Term("داعش")))


def test_fields_in_latin_and_arabic() -> None:
    assert parse("title:ترامب").root == Term("ترامب", field="title")
    assert parse("عنوان:ترامب").root == Term("ترامب", field="title")
    assert parse('source:"سكاي نيوز"').root == FacetFilter("source", "سكاي نيوز")
    assert parse("مصدر:BBC").root == FacetFilter("source", "BBC")
    assert parse("author:سلطان section:سياسة").root == And(
        (FacetFilter("author", "سلطان"), FacetFilter("section", "سياسة"))
    )
    assert parse("مصدر:(BBC OR CNN)").root == Or((FacetFilter("source", "BBC"), FacetFilter("source", "CNN")))


def test_dates_in_query_with_arabic_indic_digits() -> None:
    parsed = parse("سوريا from:2018-02 to:٢٠١٨-٠٢-٢٨")
    assert parsed.root == Term("سوريا")
    assert parsed.date_from == utc(2018, 2, 1)
    assert parsed.date_to == utc(2018, 3, 1)  # "to" includes the whole day
    parsed = parse("من:2018 إلى:2018")
    assert (parsed.date_from, parsed.date_to) == (utc(2018, 1, 1), utc(2019, 1, 1))


def test_impossible_dates_are_a_clear_error() -> None:
    with pytest.raises(QuerySyntaxError, match="2018-13-45"):
        parse("from:2018-13-45")
    with pytest.raises(QuerySyntaxError):
        parse_date_bound("أمس")


@pytest.mark.parametrize(
    ("text", "root"),
    [
        ('"دير الزور', Phrase("دير الزور")),
        ("((سوريا", Term("سوريا")),
        ("سوريا)", Term("سوريا")),
        ("سوريا OR", Term("سوريا")),
        ("OR AND NOT", None),
        ("-", None),
        ("* ~ -", None),
    ],
)
def test_malformed_queries_get_a_best_effort_parse(text: str, root: object) -> None:
    parsed = parse(text)
    assert parsed.root == root
    if text not in ("-", "* ~ -"):
        assert parsed.warnings


def test_huge_queries_are_cut_not_refused() -> None:
    parsed = parse("سوريا " * 2_000)
    assert parsed.warnings
    assert isinstance(parsed.root, And) and len(parsed.root.children) <= 64


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list('سوريا تركيا"«»()-*~:|ORANDNOTtitle:from2018-0 \u064e\u0640')),
        max_size=80,
    )
)
def test_parser_never_raises_on_operator_soup(text: str) -> None:
    try:
        parse(text)
    except QuerySyntaxError:
        pass  # only dates can be refused, with a clear message


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_parser_never_raises_on_any_unicode(text: str) -> None:
    try:
        parse(text)
    except QuerySyntaxError:
        pass
