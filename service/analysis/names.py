"""Names filter: listed place and person names are their own stem (Lucene's StemmerOverrideFilter idea).

The light stemmer's rules are right for ordinary words and wrong for some of the names this archive's
users search most: الرقة loses its ة and meets الرق "slavery" (and برقة, Libya, after ب is peeled), درعا
loses its "accusative" ا and becomes درع "shield", بعقوبة loses ب and becomes عقوبة "punishment",
الخليل/الموصل/الصدر lose the article that is part of the name and meet خليل, موصل, صدر "issued". For
a listed name the stem is the name itself as spelled in the list (article kept, ة ending, ه read as ة:
الرقه is الرقة), behind ``NAME_MARK`` so that no light stem of another word can equal it (عونا "help"
→ عون; the name عون → =عون). Clitics in front still come off: والرقة, بالرقة, للرقة, فالرقة, وبدرعا.

A name listed without the article (عون, بري, درعا) is only that name when no article precedes it:
العون "the help", البري "the land" are other words, and keep their ordinary stems. A name listed with
it is only that name with it: خليل, صدر "issued" are not الخليل (Hebron), الصدر.

Which names: those that the plain rules (with the search's spelling variants) retrieve badly. Measured on
the news corpus with bench/names.py: a name is listed when searching it without the list gives
precision < 0.9 or recall < 0.95 against a reference matcher that needs no stemmer
(tests/analysis/place_names.py); names the rules already serve (ادلب, عفرين, دمشق) are not listed. Three names seen in fewer than 20
articles are listed on the same evidence (زحلة meets زحل "Saturn", سامراء, الحويجة).
Names that are mostly another word in this corpus (صور "pictures", حديثة "modern") are not listed:
making them names would take their inflections away from the common word. Only the names ship.
"""

from __future__ import annotations

NAME_MARK = "="  # never inside an analyzed word: the tokenizer ends words at "="

# Normalized spellings (alef forms folded; ة endings written ة).
NAMES = frozenset(
    """
    الرقة درعا حلب حماة القنيطرة دوما الميادين كوباني داريا جوبر القصير اريحا
    الموصل الرمادي الفلوجة تكريت البصرة بعقوبة بغداد ديالى هيت بيجي السليمانية سامراء الحويجة
    غزة جنين الخليل الضفة جباليا صيدا طرابلس زحلة
    عون بري جعجع العبادي عباس هنية الصدر
    """.split()  # noqa: SIM905 (a word list reads better as text)
)

# Names of two words. They change no index term (each word keeps its ordinary stem): the query compiler
# reads a typed run of these words as the name — the phrase, or the words joined — not as two words
# anywhere in the article (بيت لحم "house" + "meat" had precision 0.24 on the corpus).
PHRASE_NAMES = frozenset(
    tuple(name.split("_"))
    for name in "دير_الزور خان_يونس خان_شيخون رام_الله نصر_الله بيت_لحم".split()  # noqa: SIM905
)

_DEFINITE = frozenset(n for n in NAMES if n.startswith("ال"))
_CONJUNCTIONS = ("", "و", "ف")  # before a listed name ف and ك are clitics too (فحلب, كغزة)
_PREPOSITIONS = ("", "ب", "ك", "ل")


def _listed(word: str) -> str | None:
    """The listed name this spelling is (ه read as ة), if any."""
    if word in NAMES:
        return word
    if word.endswith("ه") and (taa := word[:-1] + "ة") in NAMES:
        return taa
    return None


def name_stem(word: str) -> str | None:
    """Stem of ``word`` if it is a listed name behind the clitics Arabic puts in their order — a
    conjunction و/ف, then a preposition ب/ك/ل, then the article (وبالرقة, فحلب, كغزة, للرقة) — else None.
    The order keeps كوبري "bridge" from reading as ك + و + بري."""
    for conj in _CONJUNCTIONS:
        if not word.startswith(conj):
            continue
        rest = word[len(conj) :]
        for prep in _PREPOSITIONS:
            if rest.startswith(prep) and (name := _listed(rest[len(prep) :])) is not None:
                return NAME_MARK + name
        if rest.startswith("لل") and (name := _listed("ا" + rest[1:])) in _DEFINITE:  # ل + الرقة: للرقة
            return NAME_MARK + name
    return None


def is_name(exact: str) -> bool:
    """Whether an exact form is one of the listed names, clitics and all (the search guesses no spelling
    variants for them: الرقة's rule-made variants الرقية, الرجة are other words)."""
    from service.analysis.stemmer import stem  # the stemmer imports this module

    return stem(exact).startswith(NAME_MARK)


def is_phrase_name(words: tuple[str, ...]) -> bool:
    """Whether these exact forms spell a listed multi-word name (a final ه read as ة, like ``_listed``)."""
    return (
        tuple(w[:-1] + "ة" if w.endswith("ه") else w for w in words) in PHRASE_NAMES or words in PHRASE_NAMES
    )
