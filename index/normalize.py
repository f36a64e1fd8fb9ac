"""Text normalisation applied before tokenizing, the same for pages and questions.

NFKC first, so full-width ASCII and half-width kana become their usual forms. Then one
form for the wave dashes and for the dash variants, and ASCII lowercased. Accents and
voiced marks are kept: stripping combining marks after decomposition would turn ご into
こ and merge unrelated words.
"""

from __future__ import annotations

import re
import unicodedata

# Wave dash (U+301C) and fullwidth tilde (U+FF5E, already ~ after NFKC) become one
# form; _fold_tilde decides when a '~' does.
_WAVE_DASHES = "\u301c\u223c\u223e\u2053\uff5e"
WAVE_DASH = "\u301c"

# Hyphens, dashes and minus signs that people type for the same '-' in phone numbers,
# addresses and ranges. The katakana prolonged sound mark ー (U+30FC) is not among them:
# it is part of words such as カード.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u2043"
_LOWER_ASCII = str.maketrans(
    {chr(code): chr(code + 32) for code in range(ord("A"), ord("Z") + 1)}
)
_TRANSLATION = str.maketrans(
    {
        **{ch: WAVE_DASH for ch in _WAVE_DASHES},
        **{ch: "-" for ch in _DASHES},
        **{chr(code): chr(code + 32) for code in range(ord("A"), ord("Z") + 1)},
    }
)
_SPACES = re.compile(r"[ \t\u3000]+")

# The same mapping in two cheaper steps: the dash table, run only when a dash is
# present, and A-Z lowercased on the UTF-8 bytes. Bytes 0x41-0x5A never occur
# inside a multi-byte UTF-8 sequence, so lowering them changes only ASCII letters.
_DASH_CHARS = re.compile("[" + re.escape(_WAVE_DASHES + _DASHES) + "]")
_DASH_TABLE = str.maketrans(
    {**{ch: WAVE_DASH for ch in _WAVE_DASHES}, **{ch: "-" for ch in _DASHES}}
)
_LOWER_ASCII_BYTES = bytes.maketrans(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz"
)


# A lone UTF-16 surrogate is no character, and UTF-8 cannot encode it, so neither
# the tokenizer nor SQLite takes it. Python strings get one from an undecodable
# command-line byte or a JSON escape such as "\ud800".
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def replace_surrogates(text: str) -> str:
    """Return ``text`` with each lone surrogate replaced by U+FFFD."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def has_lone_surrogate(text: str) -> bool:
    """Tell whether ``text`` contains a lone surrogate, which is how Python reads
    a command-line or environment byte that is not UTF-8."""
    return _LONE_SURROGATE.search(text) is not None


# Characters that show nothing but split words for the tokenizer and the n-grams:
# the soft hyphen, zero-width spaces and joiners, invisible operators, direction
# marks, the byte order mark and variation selectors. A glyph variant of a kanji
# is the same kanji for a search.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\ufe00-\ufe0f\ufeff\U000e0100-\U000e01ef]"
)


def drop_invisible(text: str) -> str:
    """Return ``text`` without the characters that display nothing (_INVISIBLE).

    ``粗大\u200bごみ`` becomes ``粗大ごみ``, which a resident who pasted it from a
    web page meant.
    """
    if text.isascii() or not _INVISIBLE.search(text):
        return text
    return _INVISIBLE.sub("", text)


def visible_nfkc(text: str) -> str:
    """Return ``text`` in NFKC without the characters that display nothing.

    Every matcher of residents' text starts from this form, so a word pasted
    with a zero-width space inside still matches.
    """
    return drop_invisible(unicodedata.normalize("NFKC", text))


def normalize_text(text: str) -> str:
    """Return ``text`` in NFKC with one wave dash, one hyphen and lowercased ASCII,
    without characters that display nothing (:func:`drop_invisible`).

    NFKC turns U+FF5E into '~'. A '~' next to a non-ASCII character or between two
    digits (9時~17時, 9:00~17:00, 10~12) is the wave dash too, because in Japanese
    text it is the same range mark. Elsewhere ('~/docs', a~b) it stays.
    """
    text = _fold_tilde(_translate(visible_nfkc(text)))
    return _SPACES.sub(" ", text)


def normalize_nfkc_text(text: str) -> str:
    """Return :func:`normalize_text` of ``text`` that is NFKC with single spaces
    and without invisible characters, as :func:`index.fields.passages` gives it.

    It skips those passes, so it is cheap enough to run over many stored
    passages per question.
    """
    return _fold_tilde(_translate(text))


def _translate(text: str) -> str:
    """Return ``text.translate(_TRANSLATION)``, computed faster."""
    if text.isascii():
        return text.lower()
    if _DASH_CHARS.search(text):
        text = text.translate(_DASH_TABLE)
    raw = text.encode("utf-8", "surrogatepass")
    return raw.translate(_LOWER_ASCII_BYTES).decode("utf-8", "surrogatepass")


def _fold_tilde(text: str) -> str:
    if "~" not in text:
        return text
    chars = list(text)
    for i, ch in enumerate(chars):
        if ch != "~":
            continue
        before = chars[i - 1] if i > 0 else ""
        after = chars[i + 1] if i + 1 < len(chars) else ""
        between_digits = before.isdigit() and after.isdigit()
        if between_digits or not (before.isascii() and after.isascii()):
            chars[i] = WAVE_DASH
    return "".join(chars)


def lower_ascii(text: str) -> str:
    """Return ``text`` with A-Z lowercased and every other character unchanged."""
    return text.translate(_LOWER_ASCII)


def joins_previous(char: str) -> bool:
    """Tell whether ``char`` belongs to the character before it, so that no cut
    may fall between them: a combining or enclosing mark (the keycap of 1️⃣), a
    variation selector, a zero-width joiner or an emoji skin tone."""
    code = ord(char)
    return (
        unicodedata.combining(char) != 0
        or unicodedata.category(char) in ("Mn", "Me")
        or 0xFE00 <= code <= 0xFE0F
        or 0xE0100 <= code <= 0xE01EF
        or code == 0x200D
        or 0x1F3FB <= code <= 0x1F3FF
    )


def fold_kana(text: str) -> str:
    """Return ``text`` with katakana turned into hiragana (ゴミ -> ごみ).

    Only the letters that have a hiragana twin move (U+30A1..U+30F6); the prolonged
    sound mark and the middle dot stay as they are.
    """
    return text.translate(_KANA_FOLD)


_KANA_FOLD = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}


def is_katakana_only(text: str, min_letters: int) -> bool:
    """Tell whether ``text`` has at least ``min_letters`` katakana letters and
    no kanji or hiragana: Japanese typed without conversion (ｿﾀﾞｲｺﾞﾐ after
    NFKC), or loanwords alone when ``min_letters`` is small."""
    if _KANJI_OR_HIRAGANA.search(text) is not None:
        return False
    return len(_KATAKANA_LETTER.findall(text)) >= min_letters


_KATAKANA_LETTER = re.compile(r"[\u30a1-\u30f6]")
_KANJI_OR_HIRAGANA = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf\u3041-\u3096々〆]")
