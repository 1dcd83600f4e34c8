"""Encodings are detected, not assumed: UTF-8 (with/without BOM), UTF-16, Windows-1256, ISO-8859-6."""

from __future__ import annotations

import json

import pytest

from service.ingest.formats.encoding import decode_bytes, normalize_charset

ARABIC_ENCODINGS = [("cp1256", "cp1256"), ("windows-1256", "cp1256"), ("iso-8859-6", "iso8859-6")]


def scrape_text(title, paragraphs):
    return title + "\n\n" + "\n\n".join(paragraphs) + "\n"


@pytest.mark.parametrize("encoding, codec", ARABIC_ENCODINGS)
def test_text_scrape_in_legacy_arabic_encodings(parse_bytes, arabic_text, encoding, codec):
    title, paragraphs = arabic_text
    [article] = parse_bytes("old.txt", scrape_text(title, paragraphs).encode(encoding))
    assert article.title == title
    assert article.body == "\n".join(paragraphs)
    assert article.metadata["ingest"]["encoding"] == codec
    assert article.language == "ar"


@pytest.mark.parametrize("encoding, codec", ARABIC_ENCODINGS)
def test_short_arabic_snippets_round_trip(encoding, codec):
    for text in ["مرحبا", "سلام عليكم", "قال: نعم.", "دمشق - 2018", "الكتاب المفيد", "في البيت"]:
        data = text.encode(encoding)
        decoded = decode_bytes(data)
        assert decoded.text == text, (text, decoded.encoding)


def test_utf8_with_and_without_bom(parse_bytes, arabic_text):
    title, paragraphs = arabic_text
    data = scrape_text(title, paragraphs).encode("utf-8")
    [plain] = parse_bytes("a.txt", data)
    [bom] = parse_bytes("b.txt", b"\xef\xbb\xbf" + data)
    assert (plain.title, plain.body) == (bom.title, bom.body) == (title, "\n".join(paragraphs))
    assert plain.metadata["ingest"]["encoding"] == "utf-8"
    assert bom.metadata["ingest"]["encoding"] == "utf-8-sig"
    assert not bom.title.startswith("\ufeff")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16(parse_bytes, arabic_text, codec):
    title, paragraphs = arabic_text
    [article] = parse_bytes("u16.txt", scrape_text(title, paragraphs).encode(codec))
    assert article.title == title and article.body == "\n".join(paragraphs)


def test_text_mislabeled_utf8_that_is_cp1256(parse_bytes, arabic_text, make_html):
    title, paragraphs = arabic_text
    page = make_html(title, paragraphs, charset="utf-8")
    [article] = parse_bytes("mislabeled.html", page.encode("cp1256"))
    assert article.title == title
    assert article.body == "\n".join(paragraphs)
    info = article.metadata["ingest"]
    assert info["encoding"] == "cp1256"
    assert info["declared_charset"] == "utf-8"


@pytest.mark.parametrize("encoding, codec", ARABIC_ENCODINGS)
def test_html_with_correct_meta_charset(parse_bytes, arabic_text, make_html, encoding, codec):
    title, paragraphs = arabic_text
    [article] = parse_bytes("p.html", make_html(title, paragraphs, charset=encoding).encode(encoding))
    assert article.title == title and article.body == "\n".join(paragraphs)
    assert article.metadata["ingest"]["encoding"] == codec


@pytest.mark.parametrize("encoding", ["cp1256", "iso-8859-6"])
def test_html_without_any_charset_declaration(parse_bytes, arabic_text, make_html, encoding):
    title, paragraphs = arabic_text
    [article] = parse_bytes("p.html", make_html(title, paragraphs, charset=None).encode(encoding))
    assert article.title == title and article.body == "\n".join(paragraphs)


def test_declared_cp1256_but_really_utf8(parse_bytes, arabic_text, make_html):
    title, paragraphs = arabic_text
    [article] = parse_bytes("p.html", make_html(title, paragraphs, charset="windows-1256").encode("utf-8"))
    assert article.title == title and article.body == "\n".join(paragraphs)
    assert article.metadata["ingest"]["encoding"] == "utf-8"


def test_iso_8859_6_declared_as_cp1256(parse_bytes, arabic_text, make_html):
    title, paragraphs = arabic_text
    [article] = parse_bytes(
        "p.html", make_html(title, paragraphs, charset="windows-1256").encode("iso-8859-6")
    )
    assert article.title == title and article.body == "\n".join(paragraphs)
    assert article.metadata["ingest"]["encoding"] == "iso8859-6"


def test_jsonl_in_cp1256(parse_bytes, arabic_text):
    title, paragraphs = arabic_text
    lines = [
        json.dumps({"id": i, "title": title, "body": paragraphs[i]}, ensure_ascii=False) for i in range(3)
    ]
    items = parse_bytes("old.jsonl", "\n".join(lines).encode("cp1256"))
    assert [a.body for a in items] == paragraphs
    assert all(a.title == title and a.metadata["ingest"]["encoding"] == "cp1256" for a in items)


def test_utf8_with_a_few_invalid_bytes_is_still_utf8(parse_bytes, arabic_text):
    title, paragraphs = arabic_text
    broken = scrape_text(title, paragraphs).encode("utf-8").replace(b" ", b" \xff\xfe", 1)
    [article] = parse_bytes("broken.txt", broken)
    assert article.body == "\n".join(paragraphs)
    assert "\ufffd" in article.title  # the damage is visible, not hidden
    assert article.metadata["ingest"]["encoding"] == "utf-8"
    assert any("invalid UTF-8" in note for note in article.metadata["ingest"]["notes"])


def test_latin1_french_is_not_taken_for_arabic():
    text = "Le président a déclaré que la réunion aura lieu à Genève la semaine prochaine, après l'été."
    decoded = decode_bytes(text.encode("latin-1"))
    assert decoded.encoding not in ("cp1256", "iso8859-6", "utf-8")
    assert "président a déclaré que la réunion" in decoded.text


def test_charset_labels():
    assert normalize_charset("Windows-1256") == "cp1256"
    assert normalize_charset("ISO-8859-6") == normalize_charset("arabic") == "iso8859-6"
    assert normalize_charset("no-such-charset") is None
