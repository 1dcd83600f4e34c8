"""Tokenization: what counts as a word, and where each word stands in the original text."""

from __future__ import annotations

import pytest

from service.analysis import analyze
from service.analysis.tokenizer import tokenize


def words(text: str) -> list[str]:
    return [t.exact for t in analyze(text)]


def spans(text: str) -> list[str]:
    return [text[t.start : t.end] for t in analyze(text)]


def test_arabic_words_keep_their_original_spelling_in_the_span() -> None:
    text = "قالَ الوزيرُ: إنَّ الـعـمـلـيـات مستمرة."
    assert words(text) == ["قال", "الوزير", "ان", "العمليات", "مستمرة"]
    assert spans(text) == ["قالَ", "الوزيرُ", "إنَّ", "الـعـمـلـيـات", "مستمرة"]


def test_numbers_any_digits() -> None:
    assert words("قتل ٧ أشخاص في ٧ شباط") == ["قتل", "7", "اشخاص", "في", "7", "شباط"]
    assert words("عام ۲۰۱۸ و2019") == ["عام", "2018", "و", "2019"]
    assert words("نمو 3.5% من 1,500 ونسبة ٣٫٥") == ["نمو", "3.5", "من", "1,500", "ونسبة", "3.5"]


def test_hashtag_gives_its_words_at_consecutive_positions() -> None:
    text = "غنى الليلة #عاصي_الحلاني، ثم غادر"
    tokens = analyze(text)
    assert [t.exact for t in tokens] == ["غنى", "الليلة", "عاصي", "الحلاني", "ثم", "غادر"]
    assert [t.position for t in tokens] == [0, 1, 2, 3, 4, 5]
    assert [text[t.start : t.end] for t in tokens[2:4]] == ["عاصي", "الحلاني"]
    assert text[tokens[2].start - 1] == "#"


def test_tatweel_joined_prefix_does_not_glue_to_the_next_word() -> None:
    text = 'فاز المتسابق بـ"ذا فويس"'
    assert words(text) == ["فاز", "المتسابق", "ب", "ذا", "فويس"]
    assert spans(text)[2] == "بـ"
    assert words("لـ MBC مصر") == ["ل", "mbc", "مصر"]
    assert words("بـ2018") == ["ب", "2018"]


def test_tatweel_inside_a_word_is_decoration() -> None:
    # كـأس, فـي, مـن, بـدر are one word each (the corpus writes them so); a clitic glued by tatweel
    # (لـسكاي) stays one word too, and the stemmer takes the clitic off.
    assert words("كـأس فـي بـدر") == ["كاس", "في", "بدر"]
    tokens = analyze("لـسكاي")
    assert [t.exact for t in tokens] == ["لسكاي"] and tokens[0].stem == "سكاي"


def test_latin_and_mixed() -> None:
    assert words('شاهدنا "ذا فويس The Voice" على MBC') == [
        "شاهدنا",
        "ذا",
        "فويس",
        "the",
        "voice",
        "على",
        "mbc",
    ]
    assert words("مقاتلات F16 وF-35") == ["مقاتلات", "f16", "و", "f", "35"]
    assert words("كوفيد19") == ["كوفيد", "19"]


def test_urls_and_emails_are_one_token_each() -> None:
    text = "المصدر: https://www.bbc.com/arabic/middleeast-45?x=%D8%A7. راسلونا على Info@Example.co.uk أو www.aljazeera.net)"
    assert words(text) == [
        "المصدر",
        "https://www.bbc.com/arabic/middleeast-45?x=%d8%a7",
        "راسلونا",
        "على",
        "info@example.co.uk",
        "او",
        "www.aljazeera.net",
    ]
    assert spans(text)[1].endswith("%A7")  # trailing full stop is not part of the URL


def test_invisible_controls_do_not_cut_words() -> None:
    text = "سو\u200fريا \u200fدمشق\u200f"
    tokens = analyze(text)
    assert [t.exact for t in tokens] == ["سوريا", "دمشق"]
    assert text[tokens[1].start : tokens[1].end] == "دمشق"  # RLM around a word stays outside its span


def test_punctuation_only_and_empty() -> None:
    assert analyze("") == []
    assert analyze("،؛؟!... — «» ـــــ") == []
    assert analyze("ﷺ ﷽") == []  # honorific ligatures are symbols, not words


def test_offsets_index_the_original_string() -> None:
    text = "«الْقُوَّاتُ» دخلت ٣ قرى\u00a0شرقي #دير_الزور"
    for tok in analyze(text):
        assert 0 <= tok.start < tok.end <= len(text)
    assert spans(text) == ["الْقُوَّاتُ", "دخلت", "٣", "قرى", "شرقي", "دير", "الزور"]


def test_tokenize_reference_matches() -> None:
    text = "وأكد #فلان_الفلاني في ٧ شباط"
    assert [(w, s, e) for w, s, e in tokenize(text)] == [
        (text[t.start : t.end], t.start, t.end) for t in analyze(text)
    ]


@pytest.mark.parametrize("text", ["ok", "x y", "١٢٣٤", "ﻻ"])
def test_single_words(text: str) -> None:
    assert len(analyze(text)) == len(text.split())
