"""Japanese typed in Latin letters (gaitou ga kiete imasu), spelled in hiragana.

Residents whose phone has no Japanese input, and some who learned Japanese
abroad, type romaji. The tokenizer reads such text as English words that no page
contains, so it is spelled in hiragana first, and the kana readers of the
answerer and the intent rules take it from there. Both Hepburn (shi, tsu, fu,
ji) and Kunrei (si, tu, hu, zi) spellings are read, and so are long vowels
written with a macron (ō) or a circumflex (ô).
"""

from __future__ import annotations

import re

_VOWELS = "aiueo"
_KANA_ROWS = {
    "": "あいうえお",
    "k": "かきくけこ",
    "g": "がぎぐげご",
    "s": "さしすせそ",
    "z": "ざじずぜぞ",
    "t": "たちつてと",
    "d": "だぢづでど",
    "n": "なにぬねの",
    "h": "はひふへほ",
    "b": "ばびぶべぼ",
    "p": "ぱぴぷぺぽ",
    "m": "まみむめも",
    "r": "らりるれろ",
}
# Contracted sounds: a consonant with ya, yu, yo after the i-column kana.
_CONTRACTED = {
    "ky": "き",
    "gy": "ぎ",
    "sy": "し",
    "sh": "し",
    "zy": "じ",
    "jy": "じ",
    "j": "じ",
    "ty": "ち",
    "cy": "ち",
    "ch": "ち",
    "dy": "ぢ",
    "ny": "に",
    "hy": "ひ",
    "by": "び",
    "py": "ぴ",
    "my": "み",
    "ry": "り",
}
_SMALL_Y = {"a": "ゃ", "u": "ゅ", "o": "ょ"}


def _syllables() -> dict[str, str]:
    """Return the table of romaji syllables and their hiragana."""
    table: dict[str, str] = {}
    for consonant, kana in _KANA_ROWS.items():
        for vowel, char in zip(_VOWELS, kana, strict=True):
            table[consonant + vowel] = char
    for consonant, head in _CONTRACTED.items():
        for vowel, small in _SMALL_Y.items():
            table[consonant + vowel] = head + small
    table.update(
        {
            "shi": "し",
            "chi": "ち",
            "tsu": "つ",
            "fu": "ふ",
            "ji": "じ",
            "she": "しぇ",
            "che": "ちぇ",
            "je": "じぇ",
            "fa": "ふぁ",
            "fi": "ふぃ",
            "fe": "ふぇ",
            "fo": "ふぉ",
            "ya": "や",
            "yu": "ゆ",
            "yo": "よ",
            "wa": "わ",
            "wo": "を",
            "n'": "ん",
        }
    )
    return table


_SYLLABLES = _syllables()
_LONGEST = max(len(key) for key in _SYLLABLES)
# Long vowels as a macron or a circumflex: ō and ô are read おう, as in とうきょう.
_LONG_VOWELS = str.maketrans(
    {
        "ā": "aa",
        "ī": "ii",
        "ū": "uu",
        "ē": "ee",
        "ō": "ou",
        "â": "aa",
        "î": "ii",
        "û": "uu",
        "ê": "ee",
        "ô": "ou",
    }
)
# Particles written as pronounced, alone between spaces: wa is は, e is へ, o is を.
_PARTICLES = {"wa": "は", "e": "へ", "o": "を"}
_WORD = re.compile(r"[a-z']+")
# A text is read only when it has no Japanese letters and at least this many
# Latin letters: shorter ones (hi, ok) are as likely English.
MIN_LETTERS = 4
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


def romaji_spelling(text: str, *, needs_japanese: bool = True) -> str | None:
    """Return ``text`` spelled in hiragana when every word in it reads as romaji,
    or None.

    ``text`` is expected NFKC-normalised. Letters are lowercased here, because
    the answerer's normalisation lowercases ASCII alone (Ō stays). Digits,
    spaces and punctuation are kept as they are. A text with any kana or
    kanji, with fewer than MIN_LETTERS Latin letters, or with one word that no
    romaji spelling gives (street, the, light) is None, so English stays
    English. So is a text of several words with no sign of Japanese
    (:func:`_looks_japanese`): English words that end in vowels (I hate rain,
    one more time) read as romaji too. With ``needs_japanese`` False that
    check is left to the caller, who may know the words otherwise (sodai
    gomi). Particles written alone as pronounced (wa, e, o) are spelled は,
    へ, を.
    """
    if _JAPANESE.search(text):
        return None
    text = text.lower().translate(_LONG_VOWELS)
    words = _WORD.findall(text)
    if sum(len(word) for word in words) < MIN_LETTERS:
        return None
    if needs_japanese and len(set(words)) > 1 and not _looks_japanese(words):
        return None
    spelled: dict[str, str] = {}
    for word in set(words):
        kana = _PARTICLES.get(word) or _spell_word(word)
        if kana is None:
            return None
        spelled[word] = kana
    return _WORD.sub(lambda match: spelled[match.group()], text)


def _looks_japanese(words: list[str]) -> bool:
    """Tell whether romaji words show Japanese. A particle or a verb ending as a
    word of its own does (ga, no, desu, kudasai), and so does a sound that
    English spells otherwise (shi, cho, tsu, kyo, a long ou, a doubled
    consonant, n before one)."""
    return any(
        word in _FUNCTION_WORDS or _JAPANESE_SOUND.search(word) for word in words
    )


# Particles, copulas and endings that residents write as words of their own.
_FUNCTION_WORDS = frozenset(
    "ga wa wo o no ni de e to mo ka ne yo kara made desu desuka deshita masu imasu"
    " arimasu dekimasu kudasai onegai onegaishimasu shimasu shita tte".split()
)
_JAPANESE_SOUND = re.compile(
    r"sh[aiueo]|ch[aiueo]|tsu|[kgnhbpmr]y[auo]|j[auo]|ou|uu|ii|([kstpgzdbcfhmr])\1"
    r"|n[kstmhgzdbp]"
    r"|masu$|masen$|mashita$|desu$"
)


def _spell_word(word: str) -> str | None:
    """Return one romaji word in hiragana, or None when it does not read as one."""
    out: list[str] = []
    position = 0
    while position < len(word):
        char = word[position]
        following = word[position + 1 : position + 2]
        if char == "n" and (following == "" or following not in _VOWELS + "y"):
            out.append("ん")
            position += _n_length(word, position)
            continue
        if char == "m" and following in ("b", "m", "p"):
            out.append("ん")  # Hepburn's m before b, m, p: shimbun
            position += 1
            continue
        doubled = char == following and char not in _VOWELS + "n"
        if doubled or word.startswith("tch", position):
            out.append("っ")  # a doubled consonant: kitte, matcha
            position += 1
            continue
        syllable = _longest_syllable(word, position)
        if syllable is None:
            return None
        out.append(_SYLLABLES[syllable])
        position += len(syllable)
    return "".join(out)


def _n_length(word: str, position: int) -> int:
    """Return how many letters from ``position`` spell one ん: n before a
    consonant or at the end, n' and nn, except that nn before a vowel leaves
    its second n to the next syllable (konnichiwa is こんにちわ)."""
    following = word[position + 1 : position + 2]
    if following == "'":
        return 2
    if following == "n":
        after = word[position + 2 : position + 3]
        return 1 if after and after in _VOWELS + "y" else 2
    return 1


def _longest_syllable(word: str, position: int) -> str | None:
    """Return the longest syllable of the table that starts at ``position``."""
    for length in range(min(_LONGEST, len(word) - position), 0, -1):
        candidate = word[position : position + length]
        if candidate in _SYLLABLES:
            return candidate
    return None
