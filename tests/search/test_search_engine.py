"""Search end to end in-process: real SQLite, real tantivy index, our analyzer, made-up articles."""

import pytest

from service.errors import QuerySyntaxError
from service.search import synonyms
from service.search.engine import SearchRequest, SearchService
from service.search.marked import Marked
from tests.helpers import add_articles, when


@pytest.fixture
def corpus(archive):
    ids = add_articles(
        archive,
        {
            "title": "اشتباكات بين القوات الحكومية وقسد",
            "body": "تجددت المواجهات بين القوات الحكومية وقوات سوريا الديمقراطية في ريف دير الزور الشرقي.",
            "source": "بلدي نيوز",
            "section": "سوريا",
            "published_at": when(7),
            "author": "كنان سلطان",
        },
        {
            "title": "ترامب يهاجم الصحافة",
            "body": "هاجم الرئيس الأمريكي دونالد ترامب وسائل الإعلام مجددا في تغريدة.",
            "source": "سكاي نيوز عربية",
            "section": "العالم",
            "published_at": when(8),
        },
        {
            "title": "ترمب والكونغرس",
            "body": "قال الرئيس ترمب إن الكونغرس يعرقل خططه للهجرة.",
            "source": "الشرق الأوسط",
            "section": "العالم",
            "published_at": when(9),
        },
        {
            "title": "زيارة علي إلى بيروت",
            "body": "وصل الوزير علي حسن إلى بيروت في زيارة رسمية تستمر يومين.",
            "source": "الشرق الأوسط",
            "section": "لبنان",
            "published_at": when(10),
        },
        {
            "title": "بيان حول الطقس",
            "body": "أعلنت الأرصاد أن المنخفض الجوي سيؤثر على المنطقة وعلى السواحل خلال الأيام المقبلة.",
            "source": "سكاي نيوز عربية",
            "section": "طقس",
            "published_at": when(11),
        },
        {
            "title": "غوغل تطلق خدمة جديدة",
            "body": "أطلقت شركة غوغل خدمة جديدة للترجمة الفورية باللغة العربية.",
            "source": "البوابة التقنية",
            "section": "تقنية",
            "published_at": when(2, 3),
        },
        {
            "title": "جوجل وسامسونج",
            "body": "وقعت جوجل اتفاقا مع سامسونج لتطوير الهواتف الذكية.",
            "source": "عالم التقنية",
            "section": "تقنية",
            "published_at": when(3, 3),
        },
        {
            "title": "القُوّاتُ تتقدَّم",
            "body": "تَقَدَّمَتِ القُوّاتُ نحوَ المدينةِ فجرًا، وسيطرتْ على عدّة قُرى.",
            "source": "بلدي نيوز",
            "section": "سوريا",
            "published_at": when(5, 3),
        },
    )
    return SearchService(archive), ids


def titles(response) -> list[str]:
    return [h.title for h in response.hits]


def test_bare_words_match_every_inflection(corpus) -> None:
    service, _ = corpus
    found = titles(service.search(SearchRequest(q="قوات")))
    assert "اشتباكات بين القوات الحكومية وقسد" in found
    assert "القُوّاتُ تتقدَّم" in found  # diacritics in the stored text do not hide it


def test_quoted_phrase_means_this_spelling_in_this_order(corpus) -> None:
    service, _ = corpus
    assert titles(service.search(SearchRequest(q='"دير الزور"'))) == ["اشتباكات بين القوات الحكومية وقسد"]
    assert service.search(SearchRequest(q='"الزور دير"')).total == 0


def test_a_phrase_stays_inside_the_title_or_inside_the_body(archive) -> None:
    """The whole-article field holds the title and the body as two values: a phrase finds its words
    together in either, never the title's last word followed by the body's first."""
    add_articles(
        archive,
        {"title": "معارك في ريف دير", "body": "الزور شهدت قصفا عنيفا. وفي مدينة دير الزور هدوء حذر."},
        {"title": "اجتماع في مدينة دير", "body": "الزور تنتظر نتائج الاجتماع."},
        {"title": "حصار دير الزور", "body": "تستمر المعاناة في المدينة."},
    )
    service = SearchService(archive)
    assert titles(service.search(SearchRequest(q='"دير الزور"'))) == ["حصار دير الزور", "معارك في ريف دير"]
    assert service.search(SearchRequest(q='"دير الزور" اجتماع')).fallback  # no article has both
    assert titles(service.search(SearchRequest(q="نتائج اجتماع"))) == [
        "اجتماع في مدينة دير"
    ]  # title + body words


def test_spelling_variants_meet_and_the_typed_spelling_ranks_first(corpus) -> None:
    service, _ = corpus
    response = service.search(SearchRequest(q="ترامب"))
    assert titles(response)[:2] == ["ترامب يهاجم الصحافة", "ترمب والكونغرس"]
    assert any("ترمب" in e["variants"] for e in response.expansions)
    assert titles(service.search(SearchRequest(q="ترمب")))[0] == "ترمب والكونغرس"
    assert set(titles(service.search(SearchRequest(q="غوغل")))) == {"غوغل تطلق خدمة جديدة", "جوجل وسامسونج"}


def test_the_name_ali_does_not_drown_in_the_preposition_ala(corpus) -> None:
    service, _ = corpus
    assert titles(service.search(SearchRequest(q="علي"))) == ["زيارة علي إلى بيروت"]


def test_synonyms_expand_at_query_time(corpus, archive) -> None:
    service, _ = corpus
    assert service.search(SearchRequest(q="قسد")).total == 1
    synonyms.add_group(archive.db, ["قسد", "قوات سوريا الديمقراطية"])
    service.synonyms.invalidate()
    assert titles(service.search(SearchRequest(q="قسد"))) == ["اشتباكات بين القوات الحكومية وقسد"]
    synonyms.add_group(archive.db, ["مواجهات", "معارك"])
    service.synonyms.invalidate()
    assert service.search(SearchRequest(q="معارك")).total == 1


def test_boolean_operators_prefix_fuzzy_and_fields(corpus) -> None:
    service, _ = corpus
    assert set(titles(service.search(SearchRequest(q="ترامب OR غوغل")))) >= {
        "ترامب يهاجم الصحافة",
        "غوغل تطلق خدمة جديدة",
    }
    assert "ترامب يهاجم الصحافة" not in titles(service.search(SearchRequest(q="ترامب -الصحافة")))
    assert "ترامب يهاجم الصحافة" in titles(service.search(SearchRequest(q="ترام*")))
    assert "غوغل تطلق خدمة جديدة" in titles(service.search(SearchRequest(q="الترجمه~")))
    assert titles(service.search(SearchRequest(q="title:بيروت"))) == ["زيارة علي إلى بيروت"]
    assert titles(service.search(SearchRequest(q='بيروت source:"الشرق الأوسط"'))) == ["زيارة علي إلى بيروت"]
    assert service.search(SearchRequest(q="بيروت source:BBC")).total == 0


def test_filters_dates_and_sorting(corpus) -> None:
    service, _ = corpus
    march = service.search(SearchRequest(q="from:2018-03", sort="oldest", limit=10))
    assert titles(march) == ["غوغل تطلق خدمة جديدة", "جوجل وسامسونج", "القُوّاتُ تتقدَّم"]
    newest = service.search(SearchRequest(q="", sources=["سكاي نيوز عربية"], sort="newest"))
    assert titles(newest) == ["بيان حول الطقس", "ترامب يهاجم الصحافة"]
    feb = service.search(SearchRequest(q="الرئيس", date_from=when(9).replace(hour=0), sort="newest"))
    assert titles(feb) == ["ترمب والكونغرس"]


def test_all_words_falls_back_to_any_word_and_says_so(corpus) -> None:
    service, _ = corpus
    response = service.search(SearchRequest(q="بيروت الكونغرس"))
    assert response.fallback and response.match == "any"
    assert set(titles(response)) == {"زيارة علي إلى بيروت", "ترمب والكونغرس"}
    assert service.search(SearchRequest(q="بيروت الكونغرس", match="any")).fallback is False


def test_snippets_mark_the_original_words_as_text_and_spans(corpus, archive) -> None:
    service, _ = corpus
    hit = next(h for h in service.search(SearchRequest(q="قوات")).hits if h.title == "القُوّاتُ تتقدَّم")
    assert "القُوّاتُ" in hit.snippet.words
    assert hit.marked_title == Marked("القُوّاتُ تتقدَّم", ((0, 9),))
    add_articles(archive, {"title": "<script>alert(1)</script> هجوم", "body": "نص عن <b>هجوم</b> & غيره"})
    risky = service.search(SearchRequest(q="هجوم")).hits[0]
    # no markup from the search layer: the text as stored, the consumers escape it (tests/search/test_marked.py)
    assert risky.marked_title.text == "<script>alert(1)</script> هجوم" and risky.marked_title.words == [
        "هجوم"
    ]
    assert risky.snippet == Marked("نص عن <b>هجوم</b> & غيره", ((9, 13),))


def test_facets_and_histogram(corpus) -> None:
    service, _ = corpus
    response = service.search(SearchRequest(q="", facets=True, histogram="month", limit=1))
    sources = {b["value"]: b["count"] for b in response.facets["source"]}
    assert sources["سكاي نيوز عربية"] == 2 and sources["بلدي نيوز"] == 2
    assert {b["value"]: b["count"] for b in response.facets["year"]} == {"2018": 8}
    assert response.histogram == {
        "interval": "month",
        "buckets": [{"start": "2018-02-01", "count": 5}, {"start": "2018-03-01", "count": 3}],
    }
    days = service.search(SearchRequest(q="تقنية OR الرئيس", match="any", histogram="day", limit=1)).histogram
    assert days["interval"] == "day" and sum(b["count"] for b in days["buckets"]) >= 2


def test_near_duplicates_fold_into_one_hit(archive) -> None:
    body = (
        "أعلنت وزارة الصحة اليوم عن إطلاق حملة وطنية للتطعيم ضد الحصبة تشمل جميع المحافظات "
        "وتستهدف الأطفال دون سن الخامسة، وقالت الوزارة إن الحملة تستمر أسبوعين بمشاركة آلاف العاملين."
    )
    add_articles(
        archive,
        {"title": "حملة تطعيم", "body": body, "source": "أ", "published_at": when(1)},
        {
            "title": "حملة تطعيم وطنية",
            "body": body + " وتبدأ الحملة يوم الأحد.",
            "source": "ب",
            "published_at": when(2),
        },
        {
            "title": "أخبار أخرى",
            "body": "قالت وزارة الصحة إن عدد الإصابات بالحصبة تراجع هذا العام.",
            "source": "ج",
        },
    )
    service = SearchService(archive)
    folded = service.search(SearchRequest(q="الحصبة"))
    # the total is what a reader can page through; the folded copy is counted apart
    assert (folded.total, folded.total_unfolded, folded.duplicates_folded) == (2, 3, 1)
    assert len(folded.hits) == 2
    cluster_hit = next(h for h in folded.hits if h.cluster_size == 2)
    assert cluster_hit.folded == 1
    assert len(service.search(SearchRequest(q="الحصبة", fold=False)).hits) == 3


def test_did_you_mean(corpus) -> None:
    service, _ = corpus
    typed = service.search(SearchRequest(q="الكونغرز", correct=False))
    assert typed.total == 0 and typed.suggestions == ["الكونغرس"] and not typed.corrected
    # searched as corrected unless asked not to: the one article with الكونغرس, and it says so
    response = service.search(SearchRequest(q="الكونغرز"))
    assert titles(response) == ["ترمب والكونغرس"]
    assert (response.corrected, response.original_query, response.corrected_query) == (
        True,
        "الكونغرز",
        "الكونغرس",
    )
    assert response.suggestions == []


def test_pagination_and_cursor(corpus) -> None:
    service, _ = corpus
    request = SearchRequest(q="", sort="oldest", limit=3)
    first = service.search(request)
    assert first.next_cursor
    request.offset = service.decode_cursor(request, first.next_cursor)
    second = service.search(request)
    assert not set(titles(first)) & set(titles(second))
    with pytest.raises(Exception, match="cursor"):
        service.decode_cursor(SearchRequest(q="آخر"), service.encode_cursor(request, 3))


def test_similar_articles_are_other_stories(corpus) -> None:
    service, ids = corpus
    similar = service.similar(ids[1])
    assert similar and similar[0].title == "ترمب والكونغرس"
    assert ids[1] not in {h.id for h in similar}


def test_queries_with_nothing_to_search_are_refused_clearly(corpus) -> None:
    service, _ = corpus
    with pytest.raises(QuerySyntaxError):
        service.search(SearchRequest(q="OR AND NOT"))
    assert service.search(SearchRequest(q='"دير الزور')).warnings  # repaired, not refused
    assert service.search(SearchRequest(q="سوريا " * 3000)).warnings
