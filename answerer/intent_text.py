"""Residents' texts made ready for the intent rules: normalised, cut into
sentences, and checked for content."""

from __future__ import annotations

import re
import unicodedata

from index.normalize import fold_kana, is_katakana_only, visible_nfkc
from index.romaji import romaji_spelling

# Longer texts are cut before classification, so one huge message costs bounded time.
MAX_CHARS = 4000
PLACEHOLDER = re.compile(r"[〇○◯]+")
# A pasted link names a page, not a fault, and its letters look like no Japanese
# sentence, so the n-gram model may take it for anything. Links are cut out before
# classification. A link ends at whitespace, a quote, a bracket or 、。.
URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'「」『』（）()、。]*", re.IGNORECASE)
# Repeated units longer than this are not searched for, to bound the work per text.
MAX_REPEAT_UNIT_CHARS = 50
MIN_REPEATS = 3


def normalize(text: str) -> str:
    """Return ``text`` NFKC-normalized, lowercased, without invisible characters,
    with name placeholders as one 〇.

    A text in katakana alone (ｶﾞｲﾄｳｶﾞｷｴﾃｲﾏｽ, typed without conversion) or in
    romaji alone (gaitou ga kiete imasu) is spelled in hiragana, as the lexicon
    spells kana words and as such texts are mostly typed. English is left as it
    is: a text with any word that romaji cannot spell stays in Latin letters.
    """
    text = normalize_form(text)
    if is_katakana_only(text, MIN_KATAKANA_LETTERS):
        return fold_kana(text)
    return romaji_spelling(text) or text


def normalize_form(text: str) -> str:
    """Return :func:`normalize` of ``text`` without the katakana spelling.

    Emoji typed in place of words (道🕳️あり, 街灯💡❌) are read as the words
    (EMOJI_WORDS).
    """
    text = visible_nfkc(text).lower()
    text = _EMOJI_WORD.sub(lambda match: EMOJI_WORDS[match.group()], text)
    return PLACEHOLDER.sub("〇", text)


# Emoji that residents type for a fault's words, with the words they mean. A
# light with a cross is one that does not come on. Emoji of things (🌳) are
# left alone: they mostly decorate a text that names the thing already.
EMOJI_WORDS = {
    "💡❌": "明かりがつかない",
    "💡✖": "明かりがつかない",
    "💡×": "明かりがつかない",
    "🕳": "穴",
}
_EMOJI_WORD = re.compile(
    "|".join(re.escape(emoji) for emoji in sorted(EMOJI_WORDS, key=len, reverse=True))
)


# A text needs this many katakana letters, and no kanji or hiragana, to be read
# in hiragana: fewer are a loanword or two (ベンチ), which the lexicon spells in
# katakana.
MIN_KATAKANA_LETTERS = 6


def split_sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[。!?？!\n])", text)
    return [part.strip() for part in parts if part.strip()]


def has_content(text: str) -> bool:
    return any(unicodedata.category(char)[0] in "LN" for char in text)


def content_char_count(text: str) -> int:
    """Return the number of letters and digits (Unicode L* and N*) in ``text``."""
    return sum(1 for char in text if unicodedata.category(char)[0] in "LN")


def strip_urls(text: str) -> str:
    """Return ``text`` with every http(s) or www. link replaced by a space."""
    return URL.sub(" ", text)


def is_repetition(text: str) -> bool:
    """Return True when the letters and digits of ``text`` are one unit repeated.

    The unit must occur at least MIN_REPEATS times and be at most
    MAX_REPEAT_UNIT_CHARS long. A last, cut-off copy is allowed, so a repeated word
    cut at MAX_CHARS still counts.
    """
    compact = "".join(char for char in text if unicodedata.category(char)[0] in "LN")
    longest_unit = min(MAX_REPEAT_UNIT_CHARS, len(compact) // MIN_REPEATS)
    for size in range(1, longest_unit + 1):
        unit = compact[:size]
        copies = -(-len(compact) // size)
        if (unit * copies)[: len(compact)] == compact:
            return True
    return False
