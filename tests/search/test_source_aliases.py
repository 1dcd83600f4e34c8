"""Outlets are found by any of their names: the stored one, the known Arabic and Latin names, the
domain of their articles, aliases someone added — in the request's filter and in ``source:``/``مصدر:``
alike; an outlet the archive does not know is a warning with the closest known ones, not silence."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.db import Source, SourceAlias
from service.errors import ArshifError, NotFound
from service.search.engine import SearchService
from service.search.request import make_request
from service.sources import add_alias, domain_of, known_aliases, list_sources, name_key, similarity
from tests.helpers import add_articles, when

BODY = (
    "اشتبكت قوات سوريا الديمقراطية (قسد) مع مقاتلين موالين للحكومة قرب دير الزور شرقي سوريا، "
    "وقال مصدر محلي إن الاشتباكات استمرت ساعات وأسفرت عن قتلى وجرحى من الطرفين."
)
RIYADH = "أعلنت أمانة منطقة الرياض عن مشروعات جديدة لتطوير الحدائق العامة وتوسيع الطرق في الأحياء الشمالية."


@pytest.fixture
def service(archive) -> SearchService:
    add_articles(
        archive,
        {
            "body": BODY,
            "title": "اشتباكات قرب دير الزور",
            "source": "Sky News Arabia",
            "url": "https://www.skynewsarabia.com/middle-east/1-اشتباكات",
            "external_id": "sky-1",
            "published_at": when(12),
        },
        {
            "body": RIYADH,
            "title": "مشروعات في الرياض",
            "source": "Al-Riyadh",
            "url": "http://www.alriyadh.com/1650001",
            "external_id": "riy-1",
            "published_at": when(13),
        },
        {
            # an outlet no table knows: its only aliases are its domain
            "body": BODY + " وأكدت الشبكة أن الوضع ما زال متوترًا.",
            "title": "توتر في دير الزور",
            "source": "شبكة الفرات",
            "url": "https://furat-net.example/news/7",
            "external_id": "f-7",
            "published_at": when(14),
        },
    )
    return SearchService(archive)


def found(service: SearchService, q: str = "", sources: list[str] | None = None):
    return service.search(make_request(q, sources=sources))


def outlets(response) -> set[str]:
    return {hit.source for hit in response.hits}


@pytest.mark.parametrize(
    "typed",
    [
        "Sky News Arabia",
        "sky news arabia",  # case
        "سكاي نيوز عربية",  # the Arabic name, as in the README
        "سكاي نيوز عربيّة",  # a shadda
        "سكاي نيـوز عربيـة",  # tatweel
        "سكاى نيوز عربيه",  # alef maqsura and ha for ya and ta marbuta
        "skynewsarabia.com",  # the domain
        "https://www.skynewsarabia.com/middle-east",  # a URL of the outlet
        "سكاي نيوز",  # a short form the table lists
    ],
)
def test_any_name_of_an_outlet_filters_to_it(service: SearchService, typed: str) -> None:
    response = found(service, "دير الزور", [typed])
    assert response.total == 1 and outlets(response) == {"Sky News Arabia"}, typed
    assert not response.warnings
    by_query = found(service, f'مصدر:"{typed}" دير الزور')
    assert outlets(by_query) == {"Sky News Arabia"} and not by_query.warnings, typed


def test_domain_alias_comes_from_the_articles_urls(service: SearchService, archive) -> None:
    response = found(service, "دير الزور", ["furat-net.example"])
    assert outlets(response) == {"شبكة الفرات"}
    listed = {s.name: s for s in list_sources(archive.db)}
    assert listed["شبكة الفرات"].domain == "furat-net.example"
    assert listed["شبكة الفرات"].aliases == ["furat-net.example"]
    assert {"سكاي نيوز عربية", "skynewsarabia.com"} <= set(listed["Sky News Arabia"].aliases)
    assert "الرياض" in listed["Al-Riyadh"].aliases


def test_an_added_alias_filters_too(service: SearchService, archive) -> None:
    assert found(service, "", ["الفرات"]).total == 1  # containment of the stored name, as before
    assert found(service, "", ["قناة دجلة"]).total == 0
    assert add_alias(archive.db, "furat-net.example", "قناة دِجلة") == ("شبكة الفرات", "قناة دِجلة")
    service.sources.invalidate()
    assert outlets(found(service, "", ["قناة دجلة"])) == {"شبكة الفرات"}
    assert outlets(found(service, 'مصدر:"قناة دجله"')) == {"شبكة الفرات"}
    with pytest.raises(ArshifError) as taken:
        add_alias(archive.db, "Al-Riyadh", "قناة دجلة")
    assert taken.value.type == "alias-taken"
    with pytest.raises(NotFound):
        add_alias(archive.db, "صحيفة لا وجود لها", "اسم")
    with pytest.raises(ArshifError) as empty:
        add_alias(archive.db, "Al-Riyadh", "  ")
    assert empty.value.type == "invalid-alias"


def test_unknown_outlet_is_a_warning_with_the_closest_ones(service: SearchService) -> None:
    # a typo in a word alone is corrected...
    assert found(service, "الاشتباكاث").corrected_query == "الاشتباكات"
    # ...but with an unknown outlet the outlet is why nothing was found: no spelling correction
    response = found(service, "الاشتباكاث", ["سكاي نيوس"])
    assert response.total == 0 and response.suggestions == [] and response.corrected_query is None
    [warning] = response.warnings
    assert warning.code == "unknown-source" and warning.value == "سكاي نيوس"
    assert warning.suggestions == ["Sky News Arabia"]
    assert "«سكاي نيوس»" in warning.message_ar and "Sky News Arabia" in warning.message_en
    in_query = found(service, "دير الزور مصدر:الرياضيه -source:عكاظ")
    assert [w.value for w in in_query.warnings] == ["الرياضيه", "عكاظ"]
    assert in_query.warnings[0].suggestions == ["Al-Riyadh"]
    # a known outlet and an unknown one: the known one's articles, a warning for the other
    mixed = found(service, "دير الزور", ["Sky News Arabia", "Al Jazeera"])
    assert outlets(mixed) == {"Sky News Arabia"} and [w.value for w in mixed.warnings] == ["Al Jazeera"]


def test_query_repairs_are_warnings_in_both_languages(service: SearchService) -> None:
    [warning] = found(service, '"دير الزور').warnings
    assert warning.code == "query-repaired" and warning.message_en.startswith("unbalanced quote")
    assert "التنصيص" in warning.message_ar


def test_names_compare_normalized() -> None:
    assert name_key("الجَزيرة") == name_key("الجزيره") == name_key("الـجـزيرة")
    assert name_key("إندبندنت عربية") == name_key("اندبندنت عربيه")
    assert name_key("BBC Arabic") == name_key("bbc ARABIC")
    assert domain_of("https://WWW.SkyNewsArabia.com/a?b=1") == "skynewsarabia.com"
    assert domain_of("Sky News Arabia") is None and domain_of("") is None
    assert similarity(name_key("سكاي نيوز"), name_key("سكاي نيوس")) > 0.7
    assert similarity(name_key("عكاظ"), name_key("الاقتصادية")) < 0.3


def test_known_aliases_skip_the_own_name_and_keep_one_of_each_spelling() -> None:
    aliases = dict(known_aliases("سكاي نيوز عربية", "skynewsarabia.com"))
    assert "سكاي نيوز عربية" not in aliases and aliases["Sky News Arabia"] == "known"
    assert aliases["skynewsarabia.com"] in ("known", "domain")
    assert known_aliases("مدونة شخصية") == []
    keys = [name_key(a) for a, _ in known_aliases("Jawhara FM")]
    assert len(keys) == len(set(keys))


def test_a_new_source_gets_its_aliases_once(service: SearchService, archive) -> None:
    add_articles(
        archive, {"body": BODY + " تحديث.", "source": "Sky News Arabia", "url": "https://skynewsarabia.com/x"}
    )
    with archive.db.reading() as session:
        sky = session.scalar(select(Source.id).where(Source.name == "Sky News Arabia"))
        keys = list(session.scalars(select(SourceAlias.key).where(SourceAlias.source_id == sky)))
    assert len(keys) == len(set(keys)) and name_key("skynewsarabia.com") in keys


def test_every_query_repair_has_its_arabic() -> None:
    from service.search.notices import QUERY_REPAIRS, query_repaired
    from service.search.query import parse

    queries = [
        '"دير الزور',
        "(سوريا",
        "سوريا)",
        "OR سوريا",
        "سوريا NOT",
        "(سوريا (قسد",
        "كلمة " * 100,
        "س" * 3000,
    ]
    repairs = {w for q in queries for w in parse(q).warnings}
    assert len(repairs) == len(QUERY_REPAIRS), repairs  # each kind of repair is met here
    for repair in repairs:
        warning = query_repaired(repair)
        assert warning.message_ar in {
            t.replace("{n}", n) for t in QUERY_REPAIRS.values() for n in ("64", "2000")
        }
        assert warning.message_en == repair
