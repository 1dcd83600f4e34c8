"""Highlighting as text plus spans: where the marks fall in real Arabic, and how each consumer formats
them — HTML for the API (html.escape, as before spans), markup-safe HTML for the page, rich styles for
the terminal. The span computation runs our real analyzer; nothing is mocked."""

import html
import re

import pytest
from rich.console import Console

from service.analysis import analyze_query_word
from service.api.schemas import marked_html
from service.search import highlight
from service.search.compile import Highlights
from service.search.marked import Marked
from service.search.render import MARK_STYLE, terminal_text
from service.web.pages import marked_markup


def looking_for(*words: str) -> Highlights:
    """What the compiler records for bare words: each word's exact form and its stem."""
    tokens = [tok for word in words for tok in analyze_query_word(word)]
    return Highlights(exact=frozenset(t.exact for t in tokens), stems=frozenset(t.stem for t in tokens))


def marked_words(text: str, *words: str) -> list[str]:
    return highlight.highlight_all(text, looking_for(*words)).words


# -- the value itself -----------------------------------------------------------------------------


def test_parts_cut_the_text_at_the_spans_and_lose_nothing() -> None:
    marked = Marked("دمشق وحلب", ((0, 4), (5, 9)))
    assert list(marked.parts()) == [("دمشق", True), (" ", False), ("وحلب", True)]
    assert "".join(piece for piece, _ in marked.parts()) == marked.text
    assert list(Marked().parts()) == [] and list(Marked("نص").parts()) == [("نص", False)]


@pytest.mark.parametrize("spans", [((3, 5), (0, 2)), ((0, 3), (2, 5)), ((2, 2),), ((0, 99),), ((-1, 2),)])
def test_spans_out_of_order_overlapping_empty_or_outside_are_refused(spans) -> None:
    with pytest.raises(ValueError):
        Marked("نص قصير", spans)


def test_marked_is_immutable() -> None:
    marked = Marked("نص", ((0, 2),))
    with pytest.raises(AttributeError):
        marked.text = "آخر"


# -- where the marks fall -------------------------------------------------------------------------


def test_diacritics_stay_inside_the_marked_word() -> None:
    text = "تَقَدَّمَتِ القُوّاتُ نحوَ المدينةِ فجرًا"
    marked = highlight.highlight_all(text, looking_for("قوات", "مدينة"))
    assert marked.words == ["القُوّاتُ", "المدينةِ"]
    assert marked.spans == ((12, 21), (27, 35))


def test_tatweel_inside_a_word_is_marked_with_it() -> None:
    assert marked_words("بيان الحكـــومة السورية", "الحكومة") == ["الحكـــومة"]


def test_hamza_forms_meet_their_bare_spelling() -> None:
    text = "أعلنت الإدارة الأمريكية أن إيران رفضت"
    assert marked_words(text, "الادارة", "امريكية", "ايران") == ["الإدارة", "الأمريكية", "إيران"]
    assert marked_words("قال الرئيس الامريكي", "الأمريكي") == ["الامريكي"]


def test_mixed_arabic_and_latin_words() -> None:
    text = "أطلقت Google خدمة GPS جديدة في دبي"
    marked = highlight.highlight_all(text, looking_for("google", "دبي"))
    assert marked.words == ["Google", "دبي"]  # case kept as written
    assert marked.spans[-1] == (len(text) - 3, len(text))


def test_a_match_at_the_very_start_and_the_very_end() -> None:
    text = "دمشق تستضيف مؤتمرا عن إعادة إعمار دمشق"
    marked = highlight.highlight_all(text, looking_for("دمشق"))
    assert marked.spans == ((0, 4), (len(text) - 4, len(text)))
    assert marked_html(marked) == "<mark>دمشق</mark> تستضيف مؤتمرا عن إعادة إعمار <mark>دمشق</mark>"


def test_adjacent_matches_stay_separate_marks() -> None:
    spaced = highlight.highlight_all("بيان الحكومة السورية اليوم", looking_for("الحكومة", "السورية"))
    assert spaced.spans == ((5, 12), (13, 20))
    assert marked_html(spaced) == "بيان <mark>الحكومة</mark> <mark>السورية</mark> اليوم"
    touching = highlight.highlight_all("هاتفSamsung الجديد", looking_for("هاتف", "samsung"))
    assert touching.spans == ((0, 4), (4, 11))  # two words with nothing between them: two marks
    assert marked_html(touching) == "<mark>هاتف</mark><mark>Samsung</mark> الجديد"


def test_no_title_and_no_match() -> None:
    assert highlight.highlight_all(None, looking_for("دمشق")) == Marked()
    assert highlight.highlight_all("خبر عن حلب", looking_for("دمشق")) == Marked("خبر عن حلب")


def test_a_snippet_cut_from_the_middle_carries_its_ellipses_in_the_text() -> None:
    before = " ".join(f"كلمة{i}" for i in range(60))
    after = " ".join(f"لفظة{i}" for i in range(60))
    text = f"{before} وصل الوفد إلى زُمُرّدستان صباح اليوم {after}"
    marked = highlight.snippet(text, looking_for("زمردستان"))
    assert marked.text.startswith(highlight.ELLIPSIS + " ") and marked.text.endswith(" " + highlight.ELLIPSIS)
    assert marked.words == ["زُمُرّدستان"]
    inner = marked.text[2:-2]
    assert inner in text and inner.startswith(
        "كلمة59 وصل"
    )  # a verbatim slice: a few words lead up to the match


def test_a_snippet_of_a_short_text_is_the_whole_text_trimmed() -> None:
    marked = highlight.snippet("  قصف على إدلب  \n", looking_for("ادلب"))
    assert marked == Marked("قصف على إدلب", ((8, 12),))


def test_a_long_text_is_highlighted_in_windows_at_the_right_offsets() -> None:
    filler = "تجددت الاشتباكات في ريف دير الزور الشرقي صباح اليوم. " * 600  # over LONG_TEXT characters
    body = f"{filler}\nوصل الوفد إلى زمردستان ثم غادر زُمُرّدستان مساءً\n{filler}"
    assert len(body) > highlight.LONG_TEXT
    marks = looking_for("زمردستان")
    snippet = highlight.snippet(body, marks)
    assert snippet.words == ["زمردستان", "زُمُرّدستان"]
    paragraphs = highlight.paragraphs(body, marks)
    assert [p.words for p in paragraphs] == [[], ["زمردستان", "زُمُرّدستان"], []]
    assert "".join(p.text for p in paragraphs) == body.replace("\n", "")


# -- each consumer's formatting -------------------------------------------------------------------

RISKY = "قال <المتحدث> إن \"الأسعار\" & 'الرواتب' ارتفعت"


def risky() -> Marked:
    marked = highlight.highlight_all(RISKY, looking_for("الأسعار", "الرواتب"))
    assert marked.words == ["الأسعار", "الرواتب"]
    return marked


def test_the_api_escapes_everything_but_its_marks_as_before() -> None:
    assert marked_html(risky()) == (
        "قال &lt;المتحدث&gt; إن &quot;<mark>الأسعار</mark>&quot; &amp; &#x27;<mark>الرواتب</mark>&#x27; ارتفعت"
    )


def test_the_page_escapes_with_markupsafe_and_marks_the_words() -> None:
    page = marked_markup(risky())
    assert (
        str(page)
        == "قال &lt;المتحدث&gt; إن &#34;<mark>الأسعار</mark>&#34; &amp; &#39;<mark>الرواتب</mark>&#39; ارتفعت"
    )
    assert page.__html__() == str(page)  # Markup: a template prints it as is, no `| safe` needed


@pytest.mark.parametrize("formatter", [marked_html, marked_markup])
def test_html_formatting_gives_back_the_text(formatter) -> None:
    for text in (RISKY, "<script>alert(1)</script> هجوم", "a&amp;b <mark>x</mark>", ""):
        marked = highlight.highlight_all(text, looking_for("هجوم", "الأسعار", "mark"))
        out = str(formatter(marked))
        assert out.count("<mark>") == len(marked.spans)
        assert html.unescape(re.sub(r"</?mark>", "", out)) == text


def test_the_terminal_prints_the_raw_text_and_styles_the_marks() -> None:
    text = terminal_text(risky())
    assert text.plain == RISKY
    assert [(RISKY[s.start : s.end], s.style) for s in text.spans] == [
        ("الأسعار", MARK_STYLE),
        ("الرواتب", MARK_STYLE),
    ]
    console = Console(force_terminal=True, color_system="standard", width=200, highlight=False)
    with console.capture() as captured:
        console.print(
            terminal_text(highlight.highlight_all("[bold]عاجل[/] <b>دمشق</b>", looking_for("دمشق")))
        )
    assert captured.get() == "[bold]عاجل[/] <b>\x1b[1;33mدمشق\x1b[0m</b>\n"
