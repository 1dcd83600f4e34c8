"""Unicode clean-up: the first filter, making one code point sequence per visible spelling.

Arabic text arrives with presentation forms (ﻻ, ﷲ from old PDFs and Windows-1256 round trips), bidi and
zero-width controls pasted along with the words, Persian/Urdu keyboard letters (ک ی ۀ) and Arabic-Indic
or Persian digits. None of these change what the reader sees, so none may change what a search finds.

Everything here is a single ``str.translate`` plus NFKC only where NFKC has work to do: the table is
built once from ``unicodedata`` at import time.
"""

from __future__ import annotations

import unicodedata

# Invisible format characters that may sit inside a word: zero-width space/joiners, LRM/RLM/ALM, bidi
# embeddings, overrides and isolates, word joiner, invisible operators, BOM, soft hyphen, CGJ.
IGNORABLE = (
    "\u00ad\u034f\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)

# Persian/Urdu/Kurdish letter forms that stand for an Arabic letter in Arabic text. The letters that
# spell sounds Arabic lacks (پ چ ژ گ ڤ) are kept: they are legitimate spellings of foreign names.
LETTER_FOLDS = {
    "\u06a9": "\u0643",  # ک keheh -> ك
    "\u06aa": "\u0643",  # ڪ swash kaf -> ك
    "\u06cc": "\u064a",  # ی farsi yeh -> ي (Persian writes both ي and ى with it)
    "\u06d2": "\u064a",  # ے yeh barree -> ي
    "\u06c0": "\u0629",  # ۀ heh with yeh above (Persian ezafe/taa) -> ة
    "\u06c3": "\u0629",  # ۃ teh marbuta goal -> ة
    "\u06c1": "\u0647",  # ہ heh goal -> ه
    "\u06be": "\u0647",  # ھ heh doachashmee -> ه
    "\u06d5": "\u0647",  # ە ae (Kurdish) -> ه
}


def _digit_folds() -> dict[int, str]:
    """Every decimal digit of every script (Arabic-Indic ٠-٩, Persian ۰-۹, ...) -> ASCII 0-9."""
    out = {}
    for cp in range(0x10000):  # the BMP: digits beyond it (mathematical, historic) are left to NFKC
        ch = chr(cp)
        if unicodedata.category(ch) == "Nd" and not ("0" <= ch <= "9"):
            out[cp] = str(unicodedata.digit(ch))
    return out


def _table() -> dict[int, str | None]:
    table: dict[int, str | None] = {ord(c): None for c in IGNORABLE}
    table.update({ord(k): v for k, v in LETTER_FOLDS.items()})
    table.update(_digit_folds())
    table[0x066B] = "."  # Arabic decimal separator ٫
    table[0x066C] = ","  # Arabic thousands separator ٬
    return table


CLEAN_TABLE = _table()

# NFKC is needed only when one of these is present: presentation forms (FB50-FDFF, FE70-FEFF), other
# compatibility characters, or a decomposed hamza/madda that must compose (ا + ٔ -> أ, و + ٔ -> ؤ).
_is_nfkc = unicodedata.is_normalized
_nfkc = unicodedata.normalize


def clean(word: str) -> str:
    """NFKC where needed, then drop invisible controls and fold foreign letter forms and digits."""
    if not _is_nfkc("NFKC", word):
        word = _nfkc("NFKC", word)
    return word.translate(CLEAN_TABLE)
