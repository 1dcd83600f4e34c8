"""Unicode clean-up and orthographic normalization, filter by filter."""

from __future__ import annotations

import pytest

from service.analysis import normalize
from service.analysis.normalize import fold_letters, lower, strip_marks
from service.analysis.unicode import clean


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("ﻻ", "لا"),  # lam-alef presentation form
        ("ﻷ", "لأ"),
        ("ﷲ", "الله"),
        ("ﺍﻟﻌﺮﺑﻴﺔ", "العربية"),  # a whole word in presentation forms
        ("سو\u200cريا", "سوريا"),  # ZWNJ
        ("سو\u200fريا", "سوريا"),  # RLM
        ("\u202bسوريا\u202c", "سوريا"),  # bidi embedding
        ("سو\u00adريا", "سوريا"),  # soft hyphen
        ("\ufeffسوريا", "سوريا"),  # BOM
        ("کتاب", "كتاب"),  # Persian keheh
        ("علی", "علي"),  # Persian yeh
        ("مدرسۀ", "مدرسة"),  # heh with yeh above
        ("٢٠١٨", "2018"),  # Arabic-Indic digits
        ("۲۰۱۸", "2018"),  # Persian digits
        ("٣٫٥", "3.5"),  # Arabic decimal separator
        ("ا\u0654", "أ"),  # decomposed hamza composes (NFKC) ...
        ("و\u0654", "ؤ"),
    ],
)
def test_clean(raw: str, cleaned: str) -> None:
    assert clean(raw) == cleaned


def test_clean_keeps_letters_for_foreign_sounds() -> None:
    assert clean("گوگل ڤيينا پاريس") == "گوگل ڤيينا پاريس"


@pytest.mark.parametrize(
    ("raw", "stripped"),
    [
        ("الْعَرَبِيَّةُ", "العربية"),  # harakat, shadda, sukun
        ("ولداً", "ولدا"),  # tanween
        ("رحمٰن", "رحمن"),  # superscript alef
        ("الـعـربـيـة", "العربية"),  # tatweel
        ("ـــــ", ""),
        ("ذَٰلِكَ", "ذلك"),
        ("الرَّحِيمِ ۝", "الرحيم ۝"),  # Qur'anic end-of-ayah sign is not a mark
    ],
)
def test_strip_marks(raw: str, stripped: str) -> None:
    assert strip_marks(raw) == stripped


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("أحمد", "احمد"),
        ("إسلام", "اسلام"),
        ("آخر", "اخر"),
        ("ٱلله", "الله"),
        ("مسؤول", "مسءول"),
        ("مسئول", "مسءول"),  # both hamza seats meet
        ("على", "على"),  # ى is not folded in the exact form
        ("مدرسة", "مدرسة"),  # nor is ة
    ],
)
def test_fold_letters(raw: str, folded: str) -> None:
    assert fold_letters(raw) == folded


def test_lower() -> None:
    assert lower("MBC مصر The Voice") == "mbc مصر the voice"


@pytest.mark.parametrize(
    ("word", "exact"),
    [
        ("الْعَرَبِــــــيَّة", "العربية"),
        ("ﻷحمد", "لاحمد"),
        ("أمريكيين", "امريكيين"),
        ("MBC", "mbc"),
        ("Café", "café"),
        ("٧", "7"),
        ("ﬁnal", "final"),  # compatibility ligature
        ("ＡＢＣ", "abc"),  # full-width Latin
        ("علي", "علي"),
        ("على", "على"),
    ],
)
def test_normalize_word(word: str, exact: str) -> None:
    assert normalize(word) == exact


def test_misspellings_that_the_exact_form_keeps_meet_in_the_stem() -> None:
    from service.analysis import stem

    assert normalize("المياه") != normalize("المياة")
    assert stem(normalize("المياه")) == stem(normalize("المياة"))
    assert stem(normalize("فى")) == stem(normalize("في"))
