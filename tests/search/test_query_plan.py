"""The query plan in-process (real SQLite, real tantivy index): one frozen plan per request, the
compiler reusable without one query's highlights leaking into the next, and the request builder's
dates. The same through HTTP, the page and the CLI: tests/api/test_query_plan_http.py."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from service.errors import ArshifError, QuerySyntaxError
from service.search.engine import SearchService
from service.search.plan import QueryPlan, plan_query
from service.search.request import make_request
from tests.helpers import add_articles, when


@pytest.fixture
def service(archive) -> SearchService:
    add_articles(
        archive,
        {
            "title": "ترامب يهاجم الصحافة",
            "body": "هاجم الرئيس الأمريكي دونالد ترامب وسائل الإعلام.",
            "published_at": when(8),
            "source": "سكاي نيوز عربية",
        },
        {
            "title": "ترمب والكونغرس",
            "body": "قال الرئيس ترمب إن الكونغرس يعرقل خططه.",
            "published_at": when(20),
            "source": "الشرق الأوسط",
        },
        {
            "title": "زيارة إلى بيروت",
            "body": "وصل الوزير إلى بيروت في زيارة رسمية تستمر يومين.",
            "published_at": when(5, 3),
            "source": "الشرق الأوسط",
        },
        {
            "title": "أمطار على الساحل",
            "body": "توقعت الأرصاد أمطارا غزيرة على الساحل.",
            "published_at": when(9, 4),
            "source": "الطقس اليوم",
        },
    )
    return SearchService(archive)


def titles_of_search(service: SearchService, **params) -> set[str]:
    return {h.title for h in service.search(make_request(limit=100, fold=False, **params)).hits}


def titles_of_export(service: SearchService, **params) -> set[str]:
    return {a.title for a in service.iter_matches(make_request(fold=False, snippets=False, **params))}


def test_the_plan_is_frozen(service: SearchService) -> None:
    planned = service.plan(make_request('ترامب "دير'))
    assert isinstance(planned, QueryPlan) and planned.total == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        planned.total = 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        planned.highlights.exact = frozenset()
    assert isinstance(planned.highlights.exact, frozenset) and isinstance(planned.highlights.stems, frozenset)
    assert isinstance(planned.expansions, tuple) and isinstance(planned.warnings, tuple) and planned.warnings
    assert any("ترمب" in e.variants for e in planned.expansions)


def test_one_compiler_plans_many_queries_and_each_plan_keeps_its_own_words(service: SearchService) -> None:
    compiler = service._compiler(service.archive.index.searcher())
    trump = plan_query(make_request("ترامب"), compiler)
    marked = trump.highlights
    beirut = plan_query(make_request("بيروت"), compiler)
    assert "بيروت" in beirut.highlights.exact
    assert not {"ترامب", "ترمب"} & (beirut.highlights.exact | beirut.highlights.stems)
    assert not beirut.expansions  # ترامب's variant ترمب is not listed for بيروت
    assert trump.highlights == marked and "بيروت" not in trump.highlights.exact  # the first plan is untouched
    again = plan_query(make_request("ترامب"), compiler)
    assert (again.highlights, again.expansions, again.total) == (
        trump.highlights,
        trump.expansions,
        trump.total,
    )
    fresh = service.plan(make_request("ترامب"))
    assert (fresh.highlights, fresh.expansions) == (trump.highlights, trump.expansions)


def test_the_fallback_is_decided_once_for_search_and_export(service: SearchService) -> None:
    planned = service.plan(make_request("بيروت الكونغرس"))
    assert (planned.match, planned.fallback, planned.total) == ("any", True, 2)
    expected = {"زيارة إلى بيروت", "ترمب والكونغرس"}
    assert (
        titles_of_search(service, q="بيروت الكونغرس")
        == titles_of_export(service, q="بيروت الكونغرس")
        == expected
    )
    assert service.plan(make_request("بيروت الكونغرس", match="any")).fallback is False


def test_dates_in_the_query_meet_the_requests_dates_in_search_and_export(service: SearchService) -> None:
    for q, date_from, date_to, expected in [
        ("الرئيس from:2018-02-10", None, None, {"ترمب والكونغرس"}),
        ("الرئيس to:2018-02", "٢٠١٨-٠٢-١٥", None, {"ترمب والكونغرس"}),
        ("from:2018-02-01", None, "٢٠١٨-٠٣", {"ترامب يهاجم الصحافة", "ترمب والكونغرس", "زيارة إلى بيروت"}),
        ("", "2018-03", "٢٠١٨", {"زيارة إلى بيروت", "أمطار على الساحل"}),
        (
            "-ترامب",
            "2018-02-10",
            "2018-03-31",
            {"زيارة إلى بيروت"},
        ),  # without the word (or ترمب), within dates
    ]:
        params = {"q": q, "date_from": date_from, "date_to": date_to}
        assert titles_of_search(service, **params) == titles_of_export(service, **params) == expected, q


@pytest.mark.parametrize("q", ["-", "NOT", '""', "* ~ -", "OR AND NOT", "title:"])
def test_text_with_no_words_is_refused_by_search_and_export_alike(service: SearchService, q: str) -> None:
    with pytest.raises(QuerySyntaxError) as refused:
        service.search(make_request(q))
    assert refused.value.type == "empty-query" and refused.value.message_ar
    with pytest.raises(QuerySyntaxError) as refused:
        service.iter_matches(make_request(q))  # refused when asked, before anything is read or sent
    assert refused.value.type == "empty-query"


@pytest.mark.parametrize("q", ["", "   "])
def test_a_blank_query_browses_everything_within_the_filters(service: SearchService, q: str) -> None:
    assert len(titles_of_export(service, q=q)) == len(titles_of_search(service, q=q)) == 4
    only = {"ترمب والكونغرس", "زيارة إلى بيروت"}
    assert (
        titles_of_export(service, q=q, sources=["الشرق الأوسط"])
        == titles_of_search(service, q=q, sources=["الشرق الأوسط"])
        == only
    )


def test_the_request_builder_reads_dates_as_people_type_them() -> None:
    request = make_request("سوريا", date_from="٢٠١٨-٠٢", date_to="٢٠١٨-٠٢-٢٨", sources=("BBC",))
    assert request.date_from == datetime(2018, 2, 1, tzinfo=UTC)
    assert request.date_to == datetime(2018, 3, 1, tzinfo=UTC)  # "to" takes its whole day
    assert request.sources == ["BBC"] and request.authors == [] and request.sections == []
    assert make_request(date_to="2018").date_to == datetime(2019, 1, 1, tzinfo=UTC)
    assert make_request(date_from="", date_to=None).date_from is None
    with pytest.raises(QuerySyntaxError) as bad:
        make_request(date_from="2018-13-01")
    assert bad.value.type == "invalid-date"
    for wrong in ({"sort": "random"}, {"match": "most"}):
        with pytest.raises(ArshifError) as refused:
            make_request("سوريا", **wrong)
        assert refused.value.message_ar and refused.value.status == 400
