"""Decoding HTML bytes: BOM, HTTP charset, meta charset, strict guesses."""

from __future__ import annotations

import codecs

import pytest

from crawler.decode import codec_for, decode_html, looks_binary

# Characters that Python's strict shift_jis codec rejects but CP932 has.
VENDOR_TEXT = "①㈱髙～武蔵野市"


def meta_page(charset: str, text: str) -> str:
    return f'<html><head><meta charset="{charset}"></head><body>{text}</body></html>'


def test_shift_jis_label_decodes_as_cp932():
    body = meta_page("Shift_JIS", VENDOR_TEXT).encode("cp932")
    decoded = decode_html(body, "text/html")
    assert VENDOR_TEXT in decoded.text
    assert decoded.encoding == "cp932"
    assert decoded.source == "meta"


def test_http_equiv_meta_charset():
    html = (
        '<html><head><meta http-equiv="Content-Type" '
        f'content="text/html; charset=x-sjis"></head><body>{VENDOR_TEXT}</body></html>'
    )
    decoded = decode_html(html.encode("cp932"), None)
    assert VENDOR_TEXT in decoded.text
    assert decoded.encoding == "cp932"


def test_http_charset_wins_over_meta():
    body = meta_page("utf-8", "市役所").encode("euc-jp")
    decoded = decode_html(body, "text/html; charset=EUC-JP")
    assert "市役所" in decoded.text
    assert decoded.source == "http"


def test_wrong_declared_charset_falls_back_to_guess():
    body = meta_page("utf-8", VENDOR_TEXT).encode("cp932")
    decoded = decode_html(body, "text/html")
    assert VENDOR_TEXT in decoded.text
    assert decoded.encoding == "cp932"
    assert decoded.source == "guess"


def test_stray_byte_keeps_the_declared_encoding():
    body = meta_page("Shift_JIS", "粗大ごみの出し方" * 200).encode("cp932")
    # A lead byte before ASCII starts no character in CP932.
    body = body.replace(b"</body>", b"\x81</body>")
    decoded = decode_html(body, "text/html")
    assert decoded.encoding == "cp932"
    assert decoded.source == "meta"
    assert decoded.text.count("粗大ごみの出し方") == 200
    assert decoded.text.count("\ufffd") == 1


def test_euc_jp_page_with_nec_characters():
    text = "①市役所のお知らせ②"
    decoded = decode_html(meta_page("EUC-JP", text).encode("euc_jis_2004"), None)
    assert text in decoded.text
    assert decoded.source == "meta"


def test_bom_wins_over_everything():
    body = codecs.BOM_UTF8 + meta_page("Shift_JIS", "市").encode("utf-8")
    decoded = decode_html(body, "text/html; charset=Shift_JIS")
    assert "市" in decoded.text
    assert decoded.source == "bom"


def test_guess_utf8_without_any_label():
    decoded = decode_html("<p>こんにちは</p>".encode(), None)
    assert decoded.encoding == "utf-8"
    assert "こんにちは" in decoded.text


def test_guess_euc_jp_over_cp932_misreading():
    text = "<p>武蔵野市役所の窓口案内と住民票の写しの請求について</p>"
    decoded = decode_html(text.encode("euc-jp"), None)
    assert decoded.encoding == "euc_jp"
    assert "住民票" in decoded.text


def test_guess_iso_2022_jp():
    decoded = decode_html("<p>市役所</p>".encode("iso2022_jp"), None)
    assert decoded.encoding == "iso2022_jp"
    assert "市役所" in decoded.text


def test_undecodable_bytes_are_replaced():
    decoded = decode_html(b"<p>\xff\xfe\xfa\x80\x80</p>" * 3, None)
    assert decoded.source in ("guess", "replaced")


def test_codec_for_labels():
    assert codec_for("Shift_JIS") == "cp932"
    assert codec_for("windows-31j") == "cp932"
    assert codec_for("SJIS") == "cp932"
    assert codec_for("utf8") == "utf-8"
    assert codec_for("no-such-charset") is None


@pytest.mark.parametrize(
    "body",
    [
        "<html><body>日本語のページ</body></html>".encode("iso-2022-jp"),
        "<p>ごみの出し方</p>".encode("shift_jis"),
        "\ufeff<p>ごみ</p>".encode("utf-16"),
        "<p>\x00 NUL の入った本文</p>".encode(),
        b"",
    ],
)
def test_text_in_any_encoding_is_not_binary(body):
    assert not looks_binary(body)


@pytest.mark.parametrize(
    "body",
    [b"%PDF-1.4\n%text only at first", b"\x89PNG\r\n", bytes(range(1, 32)) * 200],
)
def test_binary_data_is_recognised(body):
    assert looks_binary(body)


def test_utf16_declared_by_http_without_bom_is_text():
    body = "<html><body>日本語</body></html>".encode("utf-16-le")
    content_type = "text/html; charset=utf-16le"
    assert not looks_binary(body, content_type)
    decoded = decode_html(body, content_type)
    assert (decoded.encoding, decoded.text) == (
        "utf-16-le",
        "<html><body>日本語</body></html>",
    )


def test_nul_characters_are_dropped_from_decoded_text():
    assert decode_html("<p>\x00本文</p>".encode()).text == "<p>本文</p>"


def test_png_is_binary_whatever_charset_the_header_names():
    body = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    assert looks_binary(body, "text/html; charset=UTF-16")


def test_other_control_characters_are_dropped_too():
    assert decode_html("<p>ベル\x07と\x1b本文</p>".encode()).text == "<p>ベルと本文</p>"
