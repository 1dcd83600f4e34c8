"""The five seed scrapes in ../shared/data/seeds come out right (read in place, never copied)."""

from __future__ import annotations

import pytest

from service.ingest.formats import ParsedArticle, parse_file

# name prefix -> expected fields (short strings only) and the words the last body paragraph ends with.
EXPECTED = {
    "000_": {
        "title": 'مواجهات بين النظام و"قسد".. والأخيرة تستقدم تعزيزات إلى دير الزور',
        "source": "بلدي نيوز",
        "author": "كنان سلطان",
        "section": None,
        "site_name": "It's Over 9000!",
        "last_ends": 'مرتزقة "واغنر".',
        "first_starts": "تستمر المناوشات",
    },
    "001_": {
        "title": "التحالف يقتل العشرات من قوات النظام والميليشيات المتحالفة معها في مواجهة جديدة بريف دير الزور",
        "source": None,
        "author": "admindiaa",
        "section": None,
        "site_name": None,
        "last_ends": "لتجنب ضربات جديدة للتحالف.",
        "first_starts": "سقط عشرات القتلى",
    },
    "002_": {
        "title": "التحالف يُفشل محاولة تقدم لميليشيات النظام في دير الزور",
        "source": None,
        "author": None,
        "section": "تحقيقات وتقارير سياسية",
        "site_name": None,
        "last_ends": "معظم حقول النفط في المحافظة.",
        "first_starts": "أفشل طيران التحالف",
    },
    "003_": {
        "title": "أمريكا تقتل مئة من ميليشيات الأسد بإحباط هجوم كبير شرق دير الزور",
        "source": None,
        "author": None,
        "section": "الشأن السوري",
        "site_name": None,
        "last_ends": "يأسف لتلك الازدواجية”.",
        "first_starts": "أعلن التحالف الدولي",
    },
    "004_": {
        "title": "“الأعنف” منذ عامين.. سلسلة هجمات على مقرات رئيسية لـ “قسد” بدير الزور",
        "source": "السورية نت",
        "author": None,
        "section": None,
        "site_name": None,
        "last_ends": "من السلاح الثقيل.",
        "first_starts": "تعرضت مقرات تابعة",
    },
}

# Boilerplate that must never reach a body.
BOILERPLATE = [
    "مقالات ذات صلة",
    "قد يعجبك أيضا",
    "قد يعحبك أيضاً",
    "زر الذهاب إلى الأعلى",
    "Privacy & Cookies Policy",
    "دع تعليقاً",
    "الكوكيز",
    "لهذا النموذج",
    "الوسوم",
    "Author",
    "إغلاق",
    "DSC 0151",
    "It's Over 9000",
    "by admindiaa",
    "المصدر السورية نت",
    "(كنان سلطان)",
]


@pytest.fixture(scope="module")
def seeds(shared_dir):
    paths = sorted((shared_dir / "data" / "seeds").glob("*.txt"))
    assert len(paths) == 5
    parsed = {}
    for path in paths:
        items = list(parse_file(path))
        assert len(items) == 1, items
        parsed[path.name[:4]] = items[0]
    return parsed


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_seed_fields(seeds, prefix):
    article = seeds[prefix]
    want = EXPECTED[prefix]
    assert isinstance(article, ParsedArticle), article
    assert article.title == want["title"]
    assert article.source == want["source"]
    assert article.author == want["author"]
    assert article.section == want["section"]
    assert article.metadata.get("site_name") == want["site_name"]
    assert article.language == "ar"
    assert article.metadata["ingest"]["format"] == "text"
    assert article.metadata["ingest"]["encoding"] == "utf-8"
    assert article.origin.endswith(".txt")


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_seed_body_is_clean(seeds, prefix):
    article = seeds[prefix]
    want = EXPECTED[prefix]
    paragraphs = article.body.split("\n")
    assert paragraphs[0].startswith(want["first_starts"])
    assert paragraphs[-1].endswith(want["last_ends"])
    assert len(paragraphs[-1].split()) > 15  # real article text, not a widget or a related headline
    for marker in BOILERPLATE:
        assert marker not in article.body, marker
    # title, section label and byline lines are not part of the body
    assert article.title not in paragraphs
    if article.section:
        assert article.section not in paragraphs
    for line in article.metadata.get("bylines", []):
        assert line not in paragraphs


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_seed_body_whitespace_tidied_only(seeds, prefix, shared_dir):
    article = seeds[prefix]
    body = article.body
    assert body == body.strip()
    assert "\n\n" not in body and "  " not in body and "\xa0" not in body and "\r" not in body
    # every body paragraph appears verbatim in the source file (nothing rewritten, no normalization)
    source = next((shared_dir / "data" / "seeds").glob(f"{prefix}*.txt")).read_text("utf-8")
    source_lines = {" ".join(line.split()) for line in source.splitlines()}
    for paragraph in body.split("\n"):
        assert paragraph in source_lines


def test_seed_directory_yields_five_articles(shared_dir):
    seeds_dir = shared_dir / "data" / "seeds"
    items = [item for path in sorted(seeds_dir.iterdir()) for item in parse_file(path)]
    assert len(items) == 5
    assert all(isinstance(item, ParsedArticle) for item in items)
    assert len({item.title for item in items}) == 5
