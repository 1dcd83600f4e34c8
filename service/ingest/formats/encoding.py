"""Bytes -> text, detecting the encoding instead of assuming it.

Order of evidence:
1. a byte-order mark (UTF-8, UTF-16, UTF-32);
2. strict UTF-8 (cp1256 / ISO-8859-6 Arabic practically never forms valid UTF-8, so valid UTF-8 is UTF-8,
   whatever a header claims);
3. the declared charset (HTTP header, <meta charset>), if it decodes and the result looks like text;
4. the Arabic single-byte encodings (Windows-1256, ISO-8859-6), scored for plausible Arabic;
5. charset-normalizer for anything else;
6. UTF-8 with replacement characters, noted in the metadata.
"""

from __future__ import annotations

import codecs
import math
import re
from dataclasses import dataclass, field

import charset_normalizer

from service.ingest.formats.text import _ARABIC_LETTER

ARABIC_SINGLE_BYTE = ("cp1256", "iso8859-6")
# A decoding counts as plausible Arabic above this score (see _arabic_score).
PLAUSIBLE_ARABIC = 0.6
# Share of control bytes (other than tab/newline/CR/FF) above which input is binary, not text.
BINARY_CONTROL_SHARE = 0.05
# Invalid UTF-8 sequences tolerated (replaced) when the rest is clearly UTF-8: at most one per N
# valid multi-byte characters.
UTF8_VALID_PER_INVALID = 20

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)


@dataclass
class Decoded:
    text: str
    encoding: str  # codec name, e.g. "utf-8", "utf-8-sig", "cp1256", "iso8859-6"
    notes: list[str] = field(default_factory=list)


class BinaryInput(ValueError):
    """The bytes are not text in any encoding we know."""


def normalize_charset(label: str | None) -> str | None:
    """Codec name for a charset label ("Windows-1256" -> "cp1256"), or None if unknown."""
    if not label:
        return None
    try:
        return codecs.lookup(label.strip().strip("\"'").lower()).name
    except LookupError:
        return None


def charset_from_content_type(value: str | None) -> str | None:
    if not value:
        return None
    match = _HEADER_CHARSET.search(value)
    return match.group(1) if match else None


def charset_from_html(head: bytes) -> str | None:
    """The charset a page declares in <meta charset> / http-equiv in its first few KiB."""
    match = _META_CHARSET.search(head[:8192])
    return match.group(1).decode("ascii", "replace") if match else None


def control_share(data: bytes) -> float:
    if not data:
        return 0.0
    sample = data[:65536]
    return (len(sample) - len(sample.translate(None, _CONTROL_BYTES))) / len(sample)


# Approximate letter frequencies (%) of Modern Standard Arabic news text, to choose between candidate
# decodings that both give Arabic letters (short cp1256 and ISO-8859-6 snippets can).
_LETTER_FREQ = {
    "ا": 12.5,
    "ل": 10.5,
    "ي": 6.5,
    "م": 6.0,
    "و": 5.6,
    "ن": 5.5,
    "ر": 4.6,
    "ت": 4.3,
    "ه": 3.5,
    "ب": 3.7,
    "ع": 3.3,
    "ة": 2.9,
    "د": 2.5,
    "أ": 2.3,
    "ف": 2.3,
    "ق": 2.2,
    "س": 2.2,
    "ك": 1.9,
    "ح": 1.9,
    "ج": 1.2,
    "ى": 1.0,
    "إ": 0.9,
    "ش": 0.8,
    "ط": 0.8,
    "ص": 0.7,
    "خ": 0.6,
    "ض": 0.5,
    "ز": 0.5,
    "ث": 0.5,
    "ذ": 0.5,
    "غ": 0.4,
    "ئ": 0.4,
    "ء": 0.3,
    "ظ": 0.2,
    "آ": 0.2,
    "ؤ": 0.1,
}
_RARE = 0.05
_HARAKAT = re.compile(r"(?<![\u0621-\u064A\u0651])[\u064B-\u0652]")  # a diacritic not on a letter
_LATIN_LETTER_ANY = re.compile(r"[A-Za-z\u00C0-\u024F]")


def _arabic_score(text: str) -> float:
    """How much the non-ASCII part of a decoding looks like real Arabic (ASCII, e.g. HTML markup, is the
    same in every candidate): share of Arabic among non-ASCII letters, minus penalties for accented Latin
    letters (ISO-8859-6 read as cp1256 gives "à â ç è é"), for words mixing Arabic and Latin letters
    (Latin-1 read as ISO-8859-6) and for the ط/ظ-heavy pattern of UTF-8 read as cp1256."""
    sample = text[:20000]
    arabic = _ARABIC_LETTER.findall(sample)
    if not arabic:
        return 0.0
    accented = sum(1 for ch in sample if 0xC0 <= ord(ch) <= 0x24F and ch.isalpha())
    score = (len(arabic) - 3 * accented) / (len(arabic) + accented)
    arabic_words = mixed = 0
    for word in sample.split():
        if _ARABIC_LETTER.search(word):
            arabic_words += 1
            mixed += bool(_LATIN_LETTER_ANY.search(word))
    score -= 2 * mixed / max(arabic_words, 1)
    ta_za = sum(1 for ch in arabic if ch in "طظ")
    if ta_za / len(arabic) > 0.25:
        score -= 1.0
    return score


def _likelihood(text: str) -> float:
    """Mean log-frequency of the Arabic letters, minus a penalty for diacritics that sit on no letter."""
    sample = text[:20000]
    letters = [ch for ch in _ARABIC_LETTER.findall(sample)]
    if not letters:
        return float("-inf")
    total = sum(math.log(_LETTER_FREQ.get(ch, _RARE)) for ch in letters)
    return (total - 10 * len(_HARAKAT.findall(sample))) / len(letters)


def _looks_like_text(text: str) -> bool:
    if not text:
        return True
    bad = sum(1 for ch in text[:20000] if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\n\r\f"))
    return bad / min(len(text), 20000) < BINARY_CONTROL_SHARE


_COMMON_RANGES = re.compile(r"[\t\n\r\x20-\x7e\u00a0-\u024f\u0600-\u06ff\u2000-\u206f\ufe70-\ufeff]")


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a byte-order mark has many NUL bytes; accept it only if the decoded text is
    mostly ASCII/Latin/Arabic/punctuation (random binary decodes to scattered CJK and surrogates)."""
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = data[: len(data) // 2 * 2].decode(codec)
        except UnicodeDecodeError:
            continue
        sample = text[:20000]
        if sample and _COMMON_RANGES.subn("", sample)[1] / len(sample) > 0.9 and _looks_like_text(sample):
            return codec
    return None


def decode_bytes(data: bytes, declared: str | None = None) -> Decoded:
    """Decode ``data``; raise BinaryInput if it is not text. ``declared`` is a charset label."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(codec, "replace")
            return Decoded(text, name, [] if "\ufffd" not in text else [f"invalid {name} bytes replaced"])

    notes: list[str] = []
    declared_codec = normalize_charset(declared)
    if declared and not declared_codec:
        notes.append(f"unknown declared charset {declared!r} ignored")

    if control_share(data) > BINARY_CONTROL_SHARE:
        utf16 = _utf16_without_bom(data)
        if utf16:
            text = data[: len(data) // 2 * 2].decode(utf16)
            return Decoded(text, utf16, notes + ["UTF-16 without byte-order mark"])
        raise BinaryInput("binary data, not text")

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if declared_codec and declared_codec not in ("utf-8", "ascii") and not data.isascii():
            notes.append(f"declared charset {declared} but content is valid UTF-8")
        return Decoded(text, "utf-8", notes)

    replaced = data.decode("utf-8", "replace")
    invalid = replaced.count("\ufffd")
    valid_multibyte = len(replaced) - len(replaced.encode("ascii", "ignore")) - invalid
    if valid_multibyte >= UTF8_VALID_PER_INVALID * invalid:
        return Decoded(replaced, "utf-8", notes + [f"{invalid} invalid UTF-8 sequence(s) replaced"])

    if declared_codec and declared_codec not in ("utf-8", "ascii"):
        try:
            text = data.decode(declared_codec)
        except UnicodeDecodeError:
            notes.append(f"declared charset {declared} does not decode the content")
        else:
            arabic_codec = declared_codec in ARABIC_SINGLE_BYTE
            if _looks_like_text(text) and (not arabic_codec or _arabic_score(text) >= PLAUSIBLE_ARABIC):
                return Decoded(text, declared_codec, notes)
            notes.append(f"declared charset {declared} gives implausible text")
    elif declared_codec:
        notes.append(f"declared charset {declared} but content is not valid UTF-8")

    candidates = []
    for codec in ARABIC_SINGLE_BYTE:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        score = _arabic_score(text)
        if score >= PLAUSIBLE_ARABIC and _looks_like_text(text):
            candidates.append((score, _likelihood(text), codec, text))
    if candidates:
        top = max(score for score, *_ in candidates)
        _, _, codec, text = max((c for c in candidates if c[0] >= top - 0.05), key=lambda c: c[1])
        return Decoded(text, codec, notes + ["encoding detected"])

    guess = charset_normalizer.from_bytes(data[:1_000_000]).best()
    if guess is not None:
        guessed = normalize_charset(guess.encoding)
        if guessed:
            guessed_text: str | None
            try:
                guessed_text = data.decode(guessed)
            except UnicodeDecodeError:
                guessed_text = None
            if guessed_text is not None and _looks_like_text(guessed_text):
                return Decoded(guessed_text, guessed, notes + ["encoding detected by charset-normalizer"])

    if _looks_like_text(replaced):
        return Decoded(
            replaced, "utf-8", notes + [f"unknown encoding; {invalid} invalid UTF-8 sequence(s) replaced"]
        )
    raise BinaryInput("binary data or unknown encoding, not text")
