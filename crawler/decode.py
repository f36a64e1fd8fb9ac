"""Decoding of fetched HTML bytes, with Japanese legacy encodings in mind.

The order is: a byte order mark, then the charset of the HTTP Content-Type, then a
``<meta charset>`` or ``<meta http-equiv="Content-Type">`` in the first 4 KiB, then a
strict try of UTF-8, CP932, EUC-JP and ISO-2022-JP. A declared encoding that fails to
decode strictly is skipped in favour of the next step. Every Shift_JIS label decodes
as CP932, the Windows superset that Japanese sites really use, so that ①, ㈱, 髙
and ～ survive, which Python's strict ``shift_jis`` codec rejects or maps elsewhere.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass

logger = logging.getLogger(__name__)

META_SCAN_BYTES = 4096

BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Labels (lower case) that name Shift_JIS or one of its vendor variants.
SHIFT_JIS_LABELS = frozenset(
    {
        "shift_jis",
        "shift-jis",
        "shiftjis",
        "sjis",
        "s-jis",
        "x-sjis",
        "x-shift_jis",
        "x-shift-jis",
        "ms_kanji",
        "csshiftjis",
        "windows-31j",
        "cswindows31j",
        "cp932",
        "ms932",
        "mskanji",
    }
)

_META_CHARSET = re.compile(
    rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.I
)
_XML_ENCODING = re.compile(rb"^<\?xml[^>]+encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)", re.I)
_HTTP_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.I)

FALLBACK_ENCODINGS = ("utf-8", "cp932", "euc-jp", "iso-2022-jp")


@dataclass(frozen=True)
class Decoded:
    """Decoded text and how it was found: ``encoding`` and ``source``.

    ``source`` is ``bom``, ``http``, ``meta``, ``guess`` or ``replaced`` (no
    encoding decoded strictly, so UTF-8 with replacement characters was used).
    """

    text: str
    encoding: str
    source: str


# Codecs that read a superset of a declared one. EUC-JP pages may contain NEC
# characters (① as 0xADA1), which Python's euc_jp rejects and JIS X 0213 covers.
_WIDER_CODECS = {"euc_jp": ("euc_jis_2004",)}
# Undecodable bytes that a page of the declared encoding may contain before the
# declaration is taken as wrong: this many, or one per 1,000 characters if more.
MAX_STRAY_BYTES = 2


def codec_for(label: str) -> str | None:
    """Return the Python codec name for an encoding label, or None if unknown."""
    label = label.strip().strip("\"'").lower()
    if label in SHIFT_JIS_LABELS:
        return "cp932"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in ("shift_jis", "shift_jis_2004", "shift_jisx0213"):
        return "cp932"
    return name


# Bytes looked at to tell text from binary data, and the share of control bytes
# above which a body is binary. Text in any encoding the crawler reads has almost
# no control byte (a stray NUL happens); ESC is left out, because ISO-2022-JP
# switches character sets with it.
BINARY_SCAN_BYTES = 4096
BINARY_CONTROL_SHARE = 0.05
# Control characters that decoded text keeps no use for (tab and line breaks stay).
_STRAY_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_BYTES = bytes(range(0, 9)) + bytes(range(14, 27)) + bytes(range(28, 32))
# Signatures of the files a city site links most: PDF, PNG, GIF, JPEG, zip
# (docx, xlsx) and the older Office formats.
_BINARY_SIGNATURES = (
    b"%PDF-",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0",
)


def looks_binary(body: bytes, content_type: str | None = None) -> bool:
    """Tell whether ``body`` is binary data (an image, a PDF, a zip) rather than
    text, as when a server labels a file text/html.

    A body with a byte-order mark, or whose ``content_type`` declares UTF-16 or
    UTF-32 (with a NUL in every other byte), is text. A body that starts with a
    known file signature is binary, as is one with more than
    BINARY_CONTROL_SHARE control bytes in its first BINARY_SCAN_BYTES.
    """
    if any(body.startswith(bom) for bom, _ in BOMS):
        return False
    head = body[:BINARY_SCAN_BYTES]
    if not head:
        return False
    if head.lstrip().startswith(_BINARY_SIGNATURES):
        return True
    if _declares_wide_text(head, content_type):
        return False
    controls = sum(head.count(byte) for byte in _CONTROL_BYTES)
    return controls > BINARY_CONTROL_SHARE * len(head)


def binary_body_reason(body: bytes, content_type: str | None) -> str:
    """Return why a body that :func:`looks_binary` is not taken as a page.

    A gzip stream (it starts with 1f 8b) sent without ``Content-Encoding: gzip``
    is a compressed page that the server failed to label, so the fix is on
    that header. Any other binary body is a file labelled as HTML.
    """
    if body.startswith(_GZIP_MAGIC):
        return (
            "the body is gzip-compressed data sent without Content-Encoding: gzip; "
            "fix the server's Content-Encoding for this URL"
        )
    served = content_type or "no Content-Type"
    return (
        f"the body is binary data, not HTML text, though served as {served!r}; "
        "fix the server's Content-Type for this URL"
    )


_GZIP_MAGIC = b"\x1f\x8b"


def _declares_wide_text(head: bytes, content_type: str | None) -> bool:
    """Tell whether the HTTP header declares UTF-16 or UTF-32 and ``head`` looks
    like it: ASCII characters, such as HTML's markup, leave a NUL byte in at
    least a quarter of the bytes."""
    declared = _HTTP_CHARSET.search(content_type or "")
    if not declared or not declared.group(1).lower().startswith(("utf-16", "utf-32")):
        return False
    return head.count(0) >= len(head) // 4


def decode_html(body: bytes, content_type: str | None = None) -> Decoded:
    """Decode an HTML or XML ``body``, given its HTTP Content-Type header.

    Control characters other than tab and line breaks are dropped: a stray one
    in a page is no text, and it would reach residents' replies.
    """
    decoded = _decode(body, content_type)
    if _STRAY_CONTROLS.search(decoded.text):
        text = _STRAY_CONTROLS.sub("", decoded.text)
        return Decoded(text, decoded.encoding, decoded.source)
    return decoded


def _decode(body: bytes, content_type: str | None) -> Decoded:
    for bom, encoding in BOMS:
        if body.startswith(bom):
            text = body[len(bom) :].decode(encoding, errors="replace")
            return Decoded(text, encoding, "bom")

    if content_type:
        match = _HTTP_CHARSET.search(content_type)
        if match:
            decoded = _try(body, match.group(1), "http")
            if decoded is not None:
                return decoded

    head = body[:META_SCAN_BYTES]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if match:
        decoded = _try(body, match.group(1).decode("ascii"), "meta")
        if decoded is not None:
            return decoded

    return _guess(body)


def _try(body: bytes, label: str, source: str) -> Decoded | None:
    codec = codec_for(label)
    if codec is None:
        logger.debug("unknown charset label %r (%s)", label, source)
        return None
    if (codec.startswith("utf-16") or codec.startswith("utf-32")) and (
        source != "http" or b"\x00" not in body[:BINARY_SCAN_BYTES]
    ):
        # A document that reached here has no BOM, and an ASCII <meta> that names
        # UTF-16 is a mislabel: treat the body as the bytes it is. The HTTP header
        # may name it rightly, and then the body has NUL bytes (ASCII in UTF-16).
        return None
    try:
        return Decoded(body.decode(codec), codec, source)
    except UnicodeDecodeError:
        pass
    for wider in _WIDER_CODECS.get(codec, ()):
        try:
            return Decoded(body.decode(wider), wider, source)
        except UnicodeDecodeError:
            continue
    # A few stray bytes in a page of the declared encoding cost only themselves.
    # Many mean that the declaration is wrong, so the encoding is guessed instead.
    text = body.decode(codec, errors="replace")
    if text.count("\ufffd") <= max(MAX_STRAY_BYTES, len(text) // 1000):
        logger.debug("body has stray bytes for %s declared by %s", codec, source)
        return Decoded(text, codec, source)
    logger.debug("body does not decode as %s declared by %s", codec, source)
    return None


def _guess(body: bytes) -> Decoded:
    if b"\x1b$" in body or b"\x1b(" in body:
        # ISO-2022-JP is 7-bit, so UTF-8 would accept it with escape bytes in it.
        try:
            return Decoded(body.decode("iso2022_jp"), "iso2022_jp", "guess")
        except UnicodeDecodeError:
            pass
    candidates = []
    for encoding in FALLBACK_ENCODINGS:
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8":
            return Decoded(text, "utf-8", "guess")
        candidates.append(Decoded(text, codecs.lookup(encoding).name, "guess"))
    if candidates:
        # EUC-JP bytes often decode as CP932 too, into half-width katakana and
        # private-use characters. Prefer the reading with fewer of them.
        return min(candidates, key=lambda d: _oddity(d.text))
    return Decoded(body.decode("utf-8", errors="replace"), "utf-8", "replaced")


def _oddity(text: str) -> int:
    return sum(
        1 for ch in text if "\uff61" <= ch <= "\uff9f" or "\ue000" <= ch <= "\uf8ff"
    )
