"""The scrape rules file and its engine, on made-up scrapes."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime

import pytest

from service.ingest.formats import ParsedArticle, RecordFailure
from service.ingest.formats.scrape import RULES_PATH, RulesError, ScrapeRules, parse_scrape

PARAS = [
    "أعلنت وزارة الصحة اليوم عن حملة تطعيم وطنية تستهدف الأطفال في جميع المحافظات خلال الشهر المقبل.",
    "وأوضح المتحدث باسم الوزارة أن الحملة ستستمر أسبوعين وأن اللقاحات متوفرة مجانا في المراكز الصحية.",
    "ودعت الوزارة الأهالي إلى التعاون مع الفرق الطبية وتسجيل أطفالهم عبر المنصة الإلكترونية.",
]
TITLE = "حملة تطعيم وطنية للأطفال في جميع المحافظات"


def scrape(*lines: str) -> ParsedArticle:
    result = parse_scrape("\n\n".join(lines).encode("utf-8"), "test.txt")
    assert isinstance(result, ParsedArticle), result
    return result


def test_rules_file_loads_and_every_pattern_compiles():
    with open(RULES_PATH, "rb") as handle:
        data = tomllib.load(handle)
    rules = ScrapeRules.from_dict(data)  # raises RulesError on any bad pattern
    assert rules.bylines and rules.cutoff is not None and rules.drop is not None
    assert len(rules.date_patterns) == len(data["dates"]["patterns"])
    assert "الشأن السوري".casefold() in rules.section_labels


def test_bad_rules_are_reported_with_their_place():
    with pytest.raises(RulesError, match=r"cutoff.markers\[1\]"):
        ScrapeRules.from_dict({"cutoff": {"markers": ["ok", "(unclosed"]}})
    with pytest.raises(RulesError, match="group named source or author"):
        ScrapeRules.from_dict({"byline": [{"name": "x", "pattern": "by (.+)"}]})


def test_rules_are_extensible_without_code():
    with open(RULES_PATH, "rb") as handle:
        data = tomllib.load(handle)
    lines = [TITLE, *PARAS, "اشترك في النشرة البريدية", "رابط عشوائي"]
    default = ScrapeRules.from_dict(data).extract(lines)
    assert "اشترك في النشرة البريدية" in default.body
    data["cutoff"]["markers"].append("اشترك في النشرة(?: البريدية)?")
    extended = ScrapeRules.from_dict(data).extract(lines)
    assert extended.body == PARAS and extended.cut_at == "اشترك في النشرة البريدية"


def test_plain_title_and_body():
    article = scrape(TITLE, *PARAS)
    assert article.title == TITLE
    assert article.body == "\n".join(PARAS)
    assert article.source is None and article.author is None and article.section is None


@pytest.mark.parametrize("separator", [" - ", " | ", " – ", " — ", " » "])
def test_site_suffix_is_dropped_and_becomes_source(separator):
    article = scrape(TITLE + separator + "صحيفة المساء", *PARAS)
    assert article.title == TITLE
    assert article.metadata["site_name"] == "صحيفة المساء"
    assert article.source == "صحيفة المساء"


def test_byline_source_wins_over_site_suffix():
    article = scrape(TITLE + " - Daily Mirror Arabic", TITLE, "وكالة الأنباء – (سمير خليل)", *PARAS)
    assert (article.title, article.source, article.author) == (TITLE, "وكالة الأنباء", "سمير خليل")
    assert article.metadata["site_name"] == "Daily Mirror Arabic"
    assert article.body == "\n".join(PARAS)


@pytest.mark.parametrize(
    "title",
    [
        "ترامب يلتقي بوتين في هلسنكي - فيديو",  # suffix that belongs to the headline
        "سوريا - مقتل خمسة في قصف",  # too few words would remain
    ],
)
def test_headline_dashes_are_kept(title):
    assert scrape(title, *PARAS).title == title


def test_repeated_title_with_long_site_suffix_is_recognised():
    long_site = "موقع الأخبار العربية الأول في المنطقة والعالم"
    article = scrape(f"{TITLE} - {long_site}", TITLE, *PARAS)
    assert article.title == TITLE
    assert article.metadata["site_name"] == long_site
    assert TITLE not in article.body


@pytest.mark.parametrize(
    "byline, author, source",
    [
        ("بقلم: ليلى حسن", "ليلى حسن", None),
        ("بقلم ليلى حسن", "ليلى حسن", None),
        ("كتب: عمر الفاروق", "عمر الفاروق", None),
        ("by Layla Hassan", "Layla Hassan", None),
        ("By: Layla Hassan", "Layla Hassan", None),
        ("صوت المدينة – (ليلى حسن)", "ليلى حسن", "صوت المدينة"),
        ("صوت المدينة - (خاص)", None, "صوت المدينة"),  # "خاص" is not a name
        ("المصدر: صوت المدينة", None, "صوت المدينة"),
    ],
)
def test_head_bylines(byline, author, source):
    article = scrape(TITLE, byline, *PARAS)
    assert (article.author, article.source) == (author, source)
    assert article.metadata["bylines"] == [byline]
    assert article.body == "\n".join(PARAS)


@pytest.mark.parametrize(
    "line, source",
    [
        ("المصدر صوت المدينة", "صوت المدينة"),
        ("المصدر: وكالة الأنباء الوطنية", "وكالة الأنباء الوطنية"),
        ("Source: Reuters", "Reuters"),
    ],
)
def test_tail_source_lines(line, source):
    article = scrape(TITLE, *PARAS, line, "قد يعجبك أيضا", "عنوان مقال آخر لا علاقة له")
    assert article.source == source
    assert article.body == "\n".join(PARAS)


def test_section_labels_before_and_after_title():
    assert scrape("اقتصاد", TITLE, *PARAS).section == "اقتصاد"
    after = scrape(TITLE, "رياضة", *PARAS)
    assert (after.title, after.section, after.body) == (TITLE, "رياضة", "\n".join(PARAS))
    explicit = scrape(TITLE, "القسم: شؤون محلية", *PARAS)
    assert explicit.section == "شؤون محلية"


def test_unknown_short_label_before_headline_is_a_section():
    article = scrape("أخبار الجنوب", TITLE, *PARAS)
    assert (article.section, article.title) == ("أخبار الجنوب", TITLE)


@pytest.mark.parametrize(
    "line, expected",
    [
        ("تاريخ النشر: 2018-02-08 14:30", datetime(2018, 2, 8, 14, 30, tzinfo=UTC)),
        ("الخميس 8 فبراير 2018", datetime(2018, 2, 8, tzinfo=UTC)),
        ("8 شباط 2018", datetime(2018, 2, 8, tzinfo=UTC)),
        ("٨ فبراير/شباط ٢٠١٨", datetime(2018, 2, 8, tzinfo=UTC)),
        ("08/02/2018 - 09:15", datetime(2018, 2, 8, 9, 15, tzinfo=UTC)),
        ("2018-02-08T14:30:00+02:00", datetime(2018, 2, 8, 12, 30, tzinfo=UTC)),
        ("February 8, 2018", datetime(2018, 2, 8, tzinfo=UTC)),
    ],
)
def test_date_lines(line, expected):
    article = scrape(TITLE, line, *PARAS)
    assert article.published_at == expected
    assert article.body == "\n".join(PARAS)


def test_absurd_date_line_is_dropped_with_a_note():
    article = scrape(TITLE, "تاريخ النشر: 1850-01-01", *PARAS)
    assert article.published_at is None
    assert any("implausible" in note for note in article.metadata["ingest"]["notes"])
    assert article.body == "\n".join(PARAS)


@pytest.mark.parametrize(
    "marker",
    [
        "مقالات ذات صلة",
        "مقالات ذات صلة:",
        "أخبار ذات صلة",
        "قد يعجبك أيضاً",
        "قد يعحبك أيضا",
        "اترك تعليقاً",
        "زر الذهاب إلى الأعلى",
        "الوسوم",
        "Privacy & Cookies Policy",
        "Related Posts",
        "Leave a Reply",
        "الأكثر قراءة",
    ],
)
def test_cutoff_markers_end_the_body(marker):
    article = scrape(TITLE, *PARAS, marker, "عنوان مقال آخر", "عنوان ثالث عن موضوع مختلف")
    assert article.body == "\n".join(PARAS)
    assert article.metadata["ingest"]["body_cut_at"] == marker


@pytest.mark.parametrize(
    "junk",
    [
        "IMG_1234.jpg",
        "DSC 0151",
        "DSC_0151.JPG",
        "photo-2018-02-08-10-22-31.png",
        "صورة_الاجتماع.jpeg",
        "شارك",
        "فيسبوك تويتر واتساب",
        "Facebook | Twitter | WhatsApp",
        "اقرأ أيضا",
        "طباعة",
        "هذا الموقع يستخدم ملفات تعريف الارتباط لتحسين تجربتك. موافق",
    ],
)
def test_dropped_lines_anywhere(junk):
    article = scrape(TITLE, PARAS[0], junk, PARAS[1], PARAS[2], junk)
    assert article.body == "\n".join(PARAS)


def test_marker_before_any_body_line_does_not_empty_the_article():
    article = scrape(TITLE, "مقالات ذات صلة", *PARAS)
    assert article.body == "\n".join(PARAS)


def test_body_that_mentions_markers_inline_is_kept():
    line = "وقال الوزير إن مقالات ذات صلة بالموضوع نشرت في الصحف المحلية خلال الأسبوع الماضي."
    article = scrape(TITLE, PARAS[0], line, PARAS[1])
    assert line in article.body.split("\n")


def test_first_line_that_is_a_paragraph_is_not_a_title():
    long_first = " ".join(PARAS * 4)
    article = scrape(long_first, PARAS[0])
    assert article.title is None
    assert article.body.split("\n")[0] == long_first


def test_single_line_is_body_without_title():
    article = scrape(PARAS[0])
    assert article.title is None and article.body == PARAS[0]


def test_only_title_and_boilerplate_is_a_failure():
    result = parse_scrape(f"{TITLE}\n\nمقالات ذات صلة\nعنوان\n".encode(), "x.txt")
    assert isinstance(result, RecordFailure)
    assert "no body" in result.reason


def test_whitespace_is_tidied_and_nothing_else():
    text = f"  {TITLE}  \r\n\r\n\u00a0\r\n  {PARAS[0][:30]}   \t {PARAS[0][30:]}  \u200f\r\n\u200f\r\nإِنَّ الكِتَابَ مُفِيدٌ ـــ جداً"
    article = parse_scrape(text.encode("utf-8"), "t.txt")
    assert article.title == TITLE
    assert article.body.split("\n") == [
        f"{PARAS[0][:30]} {PARAS[0][30:]} \u200f".strip(),
        "إِنَّ الكِتَابَ مُفِيدٌ ـــ جداً",
    ]


ADVERSARIAL = [
    "x " * 240 + "!",
    "x    " * 99 + "!",
    "فيسبوك   -  " * 38 + "؟",
    "IMG_1" + "1 " * 240 + "!",
    "a" * 499 + ".jpgx",
    "الكوكيز " * 50 + "x",
    "photo " + "1-" * 200 + "!",
    "مقالات " * 60,
    "by " + "a " * 200,
    "(" * 40 + ")" * 40,
    "بلدي نيوز – (" + "ك " * 30,
    "المصدر " * 40,
    "8 " * 40 + "فبراير",
    "- " * 200,
    ": " * 200,
    "شارك " * 100 + ".",
]


@pytest.mark.timeout(20)
def test_rules_have_no_catastrophic_backtracking():
    """Every classifier stays fast on lines built to make regexes backtrack (new rules must keep this)."""
    import time

    rules = ScrapeRules.load()
    started = time.perf_counter()
    for line in ADVERSARIAL:
        for length in (len(line) // 4, len(line) // 2, len(line)):
            text = line[:length]
            rules.is_drop(text), rules.is_cutoff(text), rules.section_of(text), rules.date_of(text)
            rules.byline_of(text, "head"), rules.byline_of(text, "tail"), rules.strip_title_suffix(text)
            rules.is_headline(text)
    assert time.perf_counter() - started < 2.0
