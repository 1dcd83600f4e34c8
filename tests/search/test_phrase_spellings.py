"""Quoted phrases tolerant of spelling (final ة/ه and ى/ي, hamza/alef, tatweel, diacritics), listed
multi-word names read as phrases, and spelling variants inside a phrase — end to end on a real archive."""

import pytest

from service.search.engine import SearchRequest, SearchService
from service.search.marked import Marked
from tests.helpers import add_articles, when

TAA = "بيان الحكومة السورية"
HAA = "بيان الحكومه السوريه"
APART = "الحكومة تنفي"
MAQSURA = "صلاة في المسجد الأقصى"
YEH = "صلاة في المسجد الاقصي"
BETHLEHEM = "احتفالات في بيت لحم"
CLITIC = "زيارة وفد"
HOUSE_MEAT = "أسعار الغذاء"
KIM_G = "كيم يزور الصين"
KIM_J = "زعيم كوريا الشمالية"


@pytest.fixture
def service(archive):
    add_articles(
        archive,
        {
            "title": TAA,
            "body": "أصدرت الحكومة السورية بيانا حول الوضع في المدينة.",
            "source": "أ",
            "published_at": when(1),
        },
        {
            "title": HAA,
            "body": "أصدرت الحكومه السوريه بيانا حول الوضع في المدينة.",
            "source": "ب",
            "published_at": when(2),
        },
        {
            "title": APART,
            "body": "قالت الحكومة إن الأنباء عن الأزمة السورية غير صحيحة.",
            "source": "أ",
            "published_at": when(3),
        },
        {
            "title": MAQSURA,
            "body": "أدى المصلون الصلاة في المسجد الأقصى أمس.",
            "source": "أ",
            "published_at": when(4),
        },
        {
            "title": YEH,
            "body": "أدى المصلون الصلاة في المسجد الاقصي أمس.",
            "source": "ب",
            "published_at": when(5),
        },
        {
            "title": BETHLEHEM,
            "body": "أقيمت الاحتفالات في بيت لحم بمشاركة واسعة.",
            "source": "أ",
            "published_at": when(6),
        },
        {
            "title": CLITIC,
            "body": "وصل الوفد إلى رام الله وبيت لحم صباح اليوم.",
            "source": "ب",
            "published_at": when(7),
        },
        {
            "title": HOUSE_MEAT,
            "body": "ارتفع سعر لحم الضأن وأصبح كل بيت يشكو الغلاء.",
            "source": "أ",
            "published_at": when(8),
        },
        {
            "title": KIM_G,
            "body": "وصل الزعيم الكوري كيم جونغ أون إلى بكين.",
            "source": "أ",
            "published_at": when(9),
        },
        {
            "title": KIM_J,
            "body": "قال الزعيم كيم جونج اون إنه مستعد للحوار.",
            "source": "ب",
            "published_at": when(10),
        },
    )
    return SearchService(archive)


def titles(service: SearchService, q: str) -> list[str]:
    return [h.title for h in service.search(SearchRequest(q=q, fold=False)).hits]


def test_haa_spelled_phrase_finds_taa_spelled_articles_and_ranks_its_own_first(service) -> None:
    assert titles(service, '"الحكومه السوريه"') == [HAA, TAA]
    assert titles(service, '"الحكومة السورية"') == [TAA, HAA]


def test_yeh_and_alef_maqsura_meet_in_a_phrase(service) -> None:
    assert titles(service, '"المسجد الاقصي"') == [YEH, MAQSURA]
    assert titles(service, '"المسجد الأقصى"') == [MAQSURA, YEH]


def test_diacritics_tatweel_and_hamza_in_the_query_phrase_are_folded(service) -> None:
    assert titles(service, '"الحُكـــومة السّوريّة"') == [TAA, HAA]
    assert titles(service, '"المسجد الاقصى"')[0] == MAQSURA  # أ typed without hamza


def test_the_phrase_still_needs_its_words_side_by_side(service) -> None:
    found = titles(service, '"الحكومه السوريه"') + titles(service, '"الحكومة السورية"')
    assert APART not in found


def test_variant_spellings_are_highlighted(service) -> None:
    response = service.search(SearchRequest(q='"الحكومة السورية"', fold=False))
    other = next(h for h in response.hits if h.title == HAA)
    assert other.marked_title == Marked(HAA, ((5, 12), (13, 20)))  # بيان [الحكومه] [السوريه]
    assert any("الحكومه" in e["variants"] for e in response.expansions)


def test_a_listed_two_word_name_typed_bare_is_the_name_not_two_words(service) -> None:
    found = titles(service, "بيت لحم")
    assert set(found) == {BETHLEHEM, CLITIC}  # وبيت لحم: a clitic in front of the name still counts
    assert HOUSE_MEAT not in found
    assert set(titles(service, "لحم بيت")) == {
        BETHLEHEM,
        CLITIC,
        HOUSE_MEAT,
    }  # not the name: both words anywhere


def test_every_word_of_a_multi_word_name_gets_its_spelling_variants(service) -> None:
    for q in ("كيم جونغ أون", "كيم جونج اون", '"كيم جونغ أون"', '"كيم جونج اون"'):
        assert set(titles(service, q)) == {KIM_G, KIM_J}, q
    assert titles(service, '"كيم جونج اون"')[0] == KIM_J
