"""Spelling variants of names, found in the index's own vocabulary.

Arabic transliterates foreign names many ways: ترامب/ترمب, بوتين/بوتن, غوغل/جوجل, سامسونج/سامسونغ,
أمريكا/أميركا, سوريا/سورية. For a typed word we generate candidate spellings with a few rules, each
one a known source of variation, and keep those the index actually contains often enough. The search
adds them below the typed form's weight, so exact spellings still rank first.

Rules (all on the normalized exact form):
- a long vowel (ا و ي) dropped or added inside the word (matres lectionis);
- a long vowel swapped with its neighbour (أمريكا/أميركا);
- the foreign g/v/p letters written with one letter or another (ج غ ق گ / ف ڤ / ب پ), all at once, or
  the last one alone (جونغ/جونج: the initial ج stays);
- an initial v written و (ونزويلا/فنزويلا, ويتنام/فيتنام) — initial only: inside a word و is the long vowel;
- final يا ⇄ يه (سوريا/سورية after normalization of ة);
- one word ⇄ two words (فيسبوك/فيس بوك, ديرالزور/دير الزور) — see ``split_candidates``.

Rules alone also turn ordinary words into other words (الكتاب/الكاتب, العلمي/العالمي, مكتب/مكاتب).
What tells the two apart is who writes them: each outlet settles on one spelling of a foreign name,
so two spellings of one name are spread over the outlets very differently, while two ordinary words
are used by every outlet alike. ``is_spelling_variant`` keeps a candidate only when the outlets'
shares of the two words diverge (Jensen–Shannon, corrected for small samples). Measured on the
news corpus (bench/variants.py): ordinary pairs stay below 0.15, spelling variants start near 0.18.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping

LONG_VOWELS = "اوي"
SOUND_CLASSES = ("جغقكگ", "فڤ", "بپ")
V_SOUND = "فڤو"  # at the start of a word only (see _initial_v)
MIN_WORD = 4  # shorter words are mostly common words whose "variants" are other words
MIN_SPLIT_PART = 2
MAX_WORD = 20  # longer "words" are not names (and would make thousands of candidates)


def _vowel_edits(word: str) -> Iterable[str]:
    inner = range(1, len(word) - 1)
    for i in inner:
        if word[i] in LONG_VOWELS and word[i - 1] not in LONG_VOWELS:
            yield word[:i] + word[i + 1 :]
    for i in range(1, len(word)):
        for vowel in LONG_VOWELS:
            if vowel not in (word[i - 1], word[i]):  # never the same long vowel twice in a row
                yield word[:i] + vowel + word[i:]
    for i in range(1, len(word) - 1):
        a, b = word[i], word[i + 1]
        # و/ي trade places with a neighbour (أمريكا/أميركا); a moving ا mostly makes another word (الكتاب/الكاتب)
        if (a in "وي") != (b in "وي") and "ا" not in (a, b):
            yield word[:i] + b + a + word[i + 2 :]


def _sound_swaps(word: str) -> Iterable[str]:
    for letters in SOUND_CLASSES:
        present = {c for c in word if c in letters}
        for old in present:
            for new in letters:
                if new != old:
                    yield word.replace(old, new)


def _single_swaps(word: str) -> Iterable[str]:
    """The last letter alone changed where its sound class also occurs earlier: the foreign -ng of جونغ
    is written جونج while the initial ج stays (all at once gives غونغ). Only the last letter: changing
    the first makes other name pieces (جونج → كونج "Kong")."""
    last = word[-1]
    for letters in SOUND_CLASSES:
        if last in letters and any(c in letters for c in word[:-1]):
            for new in letters:
                if new != last:
                    yield word[:-1] + new


def _initial_v(word: str) -> Iterable[str]:
    """The foreign v at the start of a name: ف, ڤ or و (فنزويلا, ڤنزويلا, ونزويلا)."""
    if word[0] in V_SOUND:
        for new in V_SOUND:
            if new != word[0]:
                yield new + word[1:]


def orthographic(word: str) -> list[str]:
    """The other spellings of a word's final letter that normalization leaves apart on purpose (ة/ه,
    ى/ي: see service.analysis.normalize): the search tries them inside phrases, where the index holds
    them — a phrase typed الحكومه السوريه must find الحكومة السورية."""
    swaps = {"ة": "ه", "ه": "ة", "ى": "ي", "ي": "ى"}
    if len(word) < 2 or word[-1] not in swaps:
        return []
    return [word[:-1] + swaps[word[-1]]]


def _ending_swaps(word: str) -> Iterable[str]:
    for a, b in (("يا", "يه"), ("يه", "يا"), ("يا", "ية"), ("ية", "يا")):
        if word.endswith(a):
            yield word[: -len(a)] + b


def candidates(word: str) -> set[str]:
    """Every spelling the rules can make from ``word`` (not yet checked against the index)."""
    if not MIN_WORD <= len(word) <= MAX_WORD or not any("\u0600" <= c <= "\u06ff" for c in word):
        return set()
    found = (
        set(_vowel_edits(word))
        | set(_sound_swaps(word))
        | set(_single_swaps(word))
        | set(_ending_swaps(word))
    )
    found.update(_initial_v(word))
    # one vowel edit combined with one sound swap covers غوغل → جوجل → جوجول and the like
    for swapped in list(_sound_swaps(word)):
        found.update(_ending_swaps(swapped))
    found.discard(word)
    return {c for c in found if len(c) >= MIN_WORD - 1}


def split_candidates(word: str) -> list[tuple[str, str]]:
    """Ways to read one word as two (فيسبوك → فيس بوك)."""
    if not 2 * MIN_SPLIT_PART + 1 <= len(word) <= MAX_WORD:
        return []
    return [(word[:i], word[i:]) for i in range(MIN_SPLIT_PART + 1, len(word) - MIN_SPLIT_PART + 1)]


def known_variants(
    word: str,
    doc_freq: Callable[[str], int],
    *,
    normalize: Callable[[str], str] = lambda w: w,
    min_docs: int = 1,
    min_share: float = 0.01,
    limit: int = 6,
) -> list[tuple[str, int]]:
    """The candidates the index holds in at least ``min_docs`` documents and at least ``min_share`` as
    many as the typed word (so a rare typo of a common word is not pulled in), most frequent first."""
    own = doc_freq(word)
    floor = max(min_docs, int(own * min_share))
    scored = []
    for candidate in {normalize(c) for c in candidates(word)} - {word}:
        df = doc_freq(candidate)
        if df >= floor:
            scored.append((candidate, df))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:limit]


MIN_DIVERGENCE = 0.16


def source_divergence(a: Mapping[str, int], b: Mapping[str, int]) -> float:
    """Jensen–Shannon divergence (bits) between two words' article counts per outlet, minus the part a
    sample that small would show by chance ((k-1)/(4 ln 2) · (1/n₁ + 1/n₂))."""
    n1, n2 = sum(a.values()), sum(b.values())
    if not n1 or not n2:
        return 0.0
    keys = set(a) | set(b)
    p = {k: a.get(k, 0) / n1 for k in keys}
    q = {k: b.get(k, 0) / n2 for k in keys}
    m = {k: (p[k] + q[k]) / 2 for k in keys}

    def kl(x: dict[str, float]) -> float:
        return sum(x[k] * math.log2(x[k] / m[k]) for k in keys if x[k] > 0)

    chance = (len(keys) - 1) / (4 * math.log(2)) * (1 / n1 + 1 / n2)
    return (kl(p) + kl(q)) / 2 - chance


MIN_SAMPLE = 20


def is_spelling_variant(typed: Mapping[str, int], candidate: Mapping[str, int], outlets: int) -> bool:
    """Decide with the outlets' shares. Where they cannot tell — an archive of one or two outlets, or a
    word seen in a handful of articles (typically a rare spelling typed by the user) — trust the rules."""
    if outlets < 3 or min(sum(typed.values()), sum(candidate.values())) < MIN_SAMPLE:
        return True
    return source_divergence(typed, candidate) >= MIN_DIVERGENCE


def ending_swap(word: str, candidate: str) -> bool:
    """سوريا/سورية-type pairs: the narrow ending rule is trusted without the outlet test."""
    return candidate in set(_ending_swaps(word))
