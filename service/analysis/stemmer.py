"""Light stemmer: clitics and inflectional suffixes off, so a word's inflections meet at one stem.

It works on the exact (normalized) form and never looks a word up in a lexicon: it is a handful of
affix rules with length guards, plus short lists of common words the rules would get wrong. The rules
were tuned by measuring on the news corpus (see docs/analysis.md); the aim is *consistency* — every
inflection of a lemma gets the same stem — rather than linguistically true roots.

1. Prefixes are peeled repeatedly: the article ال (leaving at least 2 letters) and the one-letter
   clitics و ب ل (leaving at least 3), in any order, so وبالقوات → بالقوات → القوات → قوات; ف and ك only
   before the article (فالقوات, كالعادة), because most words that start with them are not clitics. Peeling
   repeatedly (rather than one conjunction, one preposition, one article) is what keeps words whose
   first letter is a radical consistent: a word, the word after و, and the word after ال all end at the
   same stem, whether its first letter was a clitic or not. Common words whose peeled stem would collide
   with a different word are protected (``RADICAL_INITIAL``: وزارة is not و+زار "visited").
2. One pronoun suffix: ها ه نا هم هما هن (leaving ≥ 3). After a pronoun, a plural ات
   or a feminine ت (ة written open before the pronoun: حكومتها) goes too. علي/الي/لدي + pronoun are
   the prepositions على/إلى/لدى (عليه, إليها, لديهم), not the name علي.
3. Otherwise one number/gender suffix: ة (leaving ≥ 2), ات (≥ 2), ون ين (≥ 4, so قانون مليون بوتين
   تعيين stay whole), the past plural وا (≥ 3: قالوا→قال), or the accusative alef ا (≥ 3: عاما→عام,
   رسميا→رسمي, سوريا→سوري). The dual ان is NOT stripped: لبنان إيران بيان مكان برلمان are far more
   frequent than duals.
4. A final ه goes (leaving ≥ 3): the pronoun and the ة→ه misspelling both, so مواجه/مواجهة/مواجهات
   and المياه/المياة meet.
5. A final ى becomes ي when ≥ 4 letters remain (مستشفى/مستشفيات, مستوى/مستويات, ذكرى/ذكريات), but
   not in 3-letter words, where ى/ي tell different words apart: على/علي, قوى/قوي, رأى/رأي, الى/الي.
6. The nisba ي goes only when ≥ 5 letters remain (امريكي→امريك = امريكا, لبناني→لبنان): shorter
   stems are where it separates words — سوري ≠ سور "wall", حسيني ≠ حسين, رئيسي ≠ رئيس.

First of all, the word is looked up in the names list (``names``): a listed place or person name, after
any clitics, is its own stem, so الرقة does not become رق (الرق "slavery") nor درعا درع "shield".
"""

from __future__ import annotations

from service.analysis.names import name_stem
from service.analysis.tokenizer import ARABIC_LETTER_SET

MIN_AFTER_ARTICLE = 2
MIN_AFTER_CLITIC = 3
# One-letter clitics peeled wherever they stand: in news, a word-initial و is a clitic in 87% of
# occurrences, ل in 79%, ب in 69% (measured on the corpus; the rest is covered by RADICAL_INITIAL).
CLITICS = frozenset("وبل")
# ف and ك start more words than they are clitics (ف is a clitic in 36% of occurrences, ك in 21%:
# فريق فترة فرنسا فيلم, كبير كانت كتاب كوريا), so they come off only before the article: فالقوات, كالعادة.
ARTICLE_ONLY_CLITICS = frozenset("فك")

# (suffix, letters that must remain)
PRONOUNS = (("هما", 3), ("هم", 3), ("هن", 3), ("ها", 3), ("نا", 3), ("ه", 3))

_PRONOUN_ENDINGS = tuple(suffix for suffix, _ in PRONOUNS)

# Prepositions whose ى is written ي before a pronoun: عليه is على+ه, not the name علي + ه.
PREPOSITION_BASES = {"علي": "على", "الي": "الى", "لدي": "لدى"}

# Whole words that the rules would mangle, and unambiguous misspellings, mapped to their stem.
SPECIAL = {
    "الله": "الله",
    "لله": "الله",
    "اللهم": "الله",
    "فى": "في",
    "التى": "التي",
    "الذى": "الذي",
    "عليا": "عليا",  # العليا "supreme" (f.), not the name علي + accusative alef
    "بنات": "بنت",  # not بن "son of"
    "مساهم": "مساهم",  # هم here is radical, not "their"
    "يساهم": "مساهم",
    "تساهم": "مساهم",
    "تفاهم": "تفاهم",
    "فلسطين": "فلسطين",
    "تلفزيون": "تلفزيون",
    "عشرين": "عشرين",
    "ثلاثين": "ثلاثين",
    "اربعين": "اربعين",
    "خمسين": "خمسين",
    "سبعين": "سبعين",
    "ثمانين": "ثمانين",
    "تسعين": "تسعين",
    "عشرون": "عشرين",
    "ثلاثون": "ثلاثين",
    "اربعون": "اربعين",
    "خمسون": "خمسين",
    "سبعون": "سبعين",
    "ثمانون": "ثمانين",
    "تسعون": "تسعين",
}

# Cores (prefix-free, suffixes stripped) of common words whose first letter و ب ل is a radical, not
# a clitic. Chosen by measuring on the news corpus: the core occurs with the article (الوزير) more
# often than its clitic-less remainder occurs at all, or that remainder is unattested; and either the
# word is frequent or peeling would land on a different frequent word (وزارة→زار "visited",
# لجنة→جن "jinn", بوتين→تين "fig"). The words from وجود on are a second pass, reviewed by hand: words seen
# 300+ times whose clitic-less remainder is almost never a word of its own (وجود, not و+جود, which
# would meet جودة "quality"). No frequencies are shipped: only the words.
RADICAL_INITIAL = frozenset(
    """
    باح باحث بادي بارد بارز باريس باطل باقي باكر باكستان بالست بالغ بالون باليست بايرن بترول بحث بحر
    بحري بحرين بحير بدء بداي بدل بديل براء برازيل براق براك برامج برتغال برشلون برلمان برميل برنامج بري
    بريد بريطان بريق بسيط بشر بشري بشير بصر بصم بضاءع بضاع بطال بطل بطول بطولي بعث بعض بغداد بغيض بكاء
    بلاد بلادي بلاغ بلجيك بلد بلدان بلدتي بلدي بلدين بلغار بلوز بلوي بمثاب بناء بناي بند بنك بنود بنوك
    بني بواب بوالد بوتين بوذي بورص بورقيب بوريس بوسن بوسني بوفون بوك بوكمال بولت بولند بولون بوليس بوليف
    بومبيو بوينج بيء بيان بيت بيشي بيضاء بيع بين بينم بيوت بيون لاءح لاتي لاجء لاحق لاعب لافت لبنان لتان
    لتين لجان لجن لجوء لحظ لحم لحوم لدود لصوص لطيف لعب لقاء لقاح لقب لكن لمس لندن لواء لواءح لواتي لوبي
    لوح لودريان لوريس لوموند لون ليبي لير ليست ليل ليلي وءام واج واجب وادي وارد واسط واسع واشنطن واضح
    وافد واقع والد وتير وثاءق وثيق وجب وحيد وداع وراء ورش ورق ورقي وزار وزارت وزراء وزن وزير وسط وسطي
    وسع وصول وضع وطن وطني وظاءف وظيف وعي وفاق وفد وفق وفود وقت وقع وقعت وقف وقود وقوع وقوف وكال وكيل
    ولاء ولاد ولاي ولد وليد ونسو وفا وجود وساءل واحد وحد بقي بعيد بلغت ليفربول بقاء ودي وصلت وسيل لقط
    بلوغ لاعبي وصف واتساب برنت بشار لويس بارك باراك بوتن بروكسل وجهت ليونيل بيروت وضعت برلين لافروف
    بنيام وجه ويندوز بندر بلاتر وافقت واصف بوزيد لاعبو برانس بضع بوكو ووتش باشرت وصفت بوغب واصلت بيتر
    بوليتيك ليستر بيونغيانغ بيش بقيت لادن لعبت
    """.split()  # noqa: SIM905 (a word list reads better as text)
)

PROTECTED = frozenset(PREPOSITION_BASES.values()) | RADICAL_INITIAL
_MAY_BE_PROTECTED = frozenset(w[0] for w in PROTECTED) | frozenset(w[0] for w in PREPOSITION_BASES)


def strip_suffixes(word: str) -> str:
    """Steps 2-6 on a word whose prefixes are already off."""
    n = len(word)
    for suffix, keep in PRONOUNS if word.endswith(_PRONOUN_ENDINGS) else ():
        if word.endswith(suffix) and n - len(suffix) >= keep:
            word = word[: -len(suffix)]
            base = PREPOSITION_BASES.get(word)
            if base is not None:
                return base
            if word.endswith("ات") and len(word) >= 4:
                word = word[:-2]
            elif word.endswith(("ت", "و")) and len(word) >= 4:  # حكومتها -> حكوم, قالوه -> قال
                word = word[:-1]
            break
    else:
        if word.endswith("ة"):
            if n >= 3:
                word = word[:-1]
        elif word.endswith("ات"):
            if n >= 4:
                word = word[:-2]
        elif word.endswith(("ون", "ين")):
            if n >= 6:
                word = word[:-2]
        elif word.endswith("وا"):  # past plural: قالوا -> قال
            if n >= 5:
                word = word[:-2]
        elif word.endswith("ا") and n >= 4:
            word = word[:-1]
    if word.endswith("ه") and len(word) >= 4:
        word = word[:-1]
    if word.endswith("ى") and len(word) >= 4:
        word = word[:-1] + "ي"
    if word.endswith("ي") and len(word) >= 6:  # nisba: امريكي -> امريك (= امريكا), لبناني -> لبنان
        word = word[:-1]
    return word


def stem_arabic(word: str) -> str:
    """Stem of one normalized Arabic word."""
    special = SPECIAL.get(word)
    if special is not None:
        return special
    listed = name_stem(word)
    if listed is not None:
        return listed
    while True:
        core = None
        if word[0] in _MAY_BE_PROTECTED:  # protected cores start with و ب ل or are على الى لدى
            core = strip_suffixes(word)
            if core in PROTECTED:
                return core
        if word.startswith("ال") and len(word) - 2 >= MIN_AFTER_ARTICLE:
            word = word[2:]
        elif len(word) - 1 >= MIN_AFTER_CLITIC and (
            word[0] in CLITICS or (word[0] in ARTICLE_ONLY_CLITICS and word.startswith(("ال", "لل"), 1))
        ):
            word = word[1:]
        else:
            return strip_suffixes(word) if core is None else core
        special = SPECIAL.get(word)
        if special is not None:
            return special


def stem(exact: str) -> str:
    """Stem form of an exact form: Arabic words are light-stemmed, anything else is its own stem."""
    if exact and exact[0] in ARABIC_LETTER_SET:
        return stem_arabic(exact)
    return exact
