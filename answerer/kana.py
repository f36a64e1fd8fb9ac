"""Questions typed in hiragana without conversion, read with the site's words.

Residents on phones often send じゅうみんひょう or でんちのすてかた as typed.
Sudachi cuts such text into short words that are not meant (じゅう / みん /
ひょう), so no index term matches and the question gets the fallback. Each index
term's reading maps back to the term, and the words of a question written in
hiragana alone are read as the longest readings they are made of: でんち (電池),
の, すてかた (捨て方). A question with any kanji or katakana is left to Sudachi:
there a hiragana stretch is mostly grammar (どうしたらよいですか), and reading
it by the site's words would find 同士. A question in katakana alone that finds
no page as typed is read again in hiragana (:func:`hiragana_spelling`).
"""

from __future__ import annotations

import re

from index.normalize import fold_kana, is_katakana_only, normalize_text
from index.romaji import romaji_spelling
from index.tokenize import morphemes, terms
from index.variants import SYNONYM_PREFIX
from index.vectorize import IndexModel

# A question word, split at spaces and punctuation, that is all hiragana (the
# prolonged sound mark included) and long enough to be more than a particle.
_KANA_WORD = re.compile(r"(?<!\w)[ぁ-ゖー]{3,}(?!\w)")
# A question with any kanji or katakana is not read by _KANA_WORD.
_KANJI_OR_KATAKANA = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf\u30a1-\u30fa々〆]")
# Readings shorter than this match too much by chance (か, の, ご).
MIN_READING_CHARS = 2
# A reading of MIN_READING_CHARS counts only for a term on at least this many
# pages and at least this share of them: ごみ and ばす, not がみ or がわ.
MIN_SHORT_READING_PAGES = 3
SHORT_READING_PAGE_SHARE = 0.005
# Question words, endings and two-character particles, skipped before the site's
# words are looked up, so that いくら is not read as 行く + ら.
_FUNCTION_WORDS = sorted(
    [
        "いくら",
        "いつ",
        "したら",
        "すれば",
        "みたい",
        # Endings that ask, or that state what the writer does not know.
        "わかりません",
        "わからない",
        "しりたい",
        "ありますか",
        "ありません",
        "できますか",
        "いいですか",
        "ほしい",
        "について",
        "どこ",
        "なに",
        "なんじ",
        "だれ",
        "どう",
        "ですか",
        "ますか",
        "ください",
        "おしえて",
        "したい",
        "たい",
        "です",
        "ます",
        "まで",
        "から",
        "より",
        "だけ",
        "など",
        "って",
    ],
    key=len,
    reverse=True,
)
# Particles: a character left between two readings that is one of these is no
# unknown word.
_PARTICLES = frozenset("のはをがにでともかへやねよ")


def reading_table(model: IndexModel) -> dict[str, str]:
    """Return the index terms by their reading in hiragana, made once per model.

    Of terms with the same reading, the one found on most pages (lowest idf)
    wins, as a city site's こうえん is 公園 far more often than 講演. Two threads
    may make it at the same time; both get equal tables.
    """
    cached = model.__dict__.get("_reading_table")
    if cached is not None:
        return cached
    best: dict[str, tuple[float, str]] = {}
    rare = max(MIN_SHORT_READING_PAGES, SHORT_READING_PAGE_SHARE * model.page_count)
    for term, column in model.term_vocabulary.items():
        # A one-character term read from kana is mostly chance: なん is 何,
        # かた is 型.
        if term.startswith(SYNONYM_PREFIX) or term.isascii() or len(term) < 2:
            continue
        reading = fold_kana("".join(m.reading_form() for m in morphemes(term)))
        if len(reading) < MIN_READING_CHARS:
            continue
        if len(reading) == MIN_READING_CHARS and _page_count(model, column) < rare:
            # がみ or がわ, kana fragments of a few pages, would read a particle
            # and the next sound (はざあどまっぷがみたい) as a word.
            continue
        idf = float(model.term_idf[column])
        if reading not in best or idf < best[reading][0]:
            best[reading] = (idf, term)
    cached = {reading: term for reading, (_, term) in best.items()}
    # まいなんばあかあど: a long vowel typed as the vowel itself.
    for reading, term in list(cached.items()):
        cached.setdefault(spelled_out_long_vowels(reading), term)
    # The longest reading bounds each lookup; it is kept beside the table, not
    # recomputed for every question.
    model.__dict__["_longest_reading"] = max(map(len, cached), default=0)
    model.__dict__["_reading_table"] = cached
    return cached


# The vowel of each hiragana mora, for spelling out the prolonged sound mark.
_VOWEL_OF = {
    char: vowel
    for vowel, chars in (
        ("あ", "あかさたなはまやらわがざだばぱぁゃゎ"),
        ("い", "いきしちにひみりぎじぢびぴぃ"),
        ("う", "うくすつぬふむゆるぐずづぶぷぅゅゔ"),
        ("え", "えけせてねへめれげぜでべぺぇ"),
        ("お", "おこそとのほもよろをごぞどぼぽぉょ"),
    )
    for char in chars
}


def spelled_out_long_vowels(reading: str) -> str:
    """Return a hiragana ``reading`` with each prolonged sound mark written as
    the vowel of the mora before it: まいなんばーかーど as まいなんばあかあど,
    as residents type katakana words in hiragana."""
    chars = list(reading)
    for index, char in enumerate(chars):
        if char == "ー" and index > 0:
            chars[index] = _VOWEL_OF.get(chars[index - 1], char)
    return "".join(chars)


def _page_count(model: IndexModel, column: int) -> int:
    """Return on how many pages the term of ``column`` occurs: the entries of
    its column in the page-by-term matrix (compressed by column)."""
    pointers = model.term_matrix.indptr
    return int(pointers[column + 1] - pointers[column])


def hiragana_spelling(question: str) -> str | None:
    """Return a question typed in katakana alone (ソダイゴミノダシカタ, or its
    half-width form) or in romaji alone (sodai gomi no dashikata) spelled in
    hiragana, so that :func:`read_kana_words` can read it; None for any other
    question.

    Katakana is mostly loanwords (マイナンバーカード), which Sudachi reads
    well, and Latin letters may be English, so callers try this spelling only
    when the question as typed found no page.
    """
    normalized = normalize_text(question)
    if is_katakana_only(normalized, MIN_KATAKANA_LETTERS):
        return fold_kana(normalized)
    return romaji_spelling(normalized)


def romaji_words_spelling(model: IndexModel, question: str) -> str | None:
    """Return a question of romaji words with no sign of Japanese (sodai
    gomi) spelled in hiragana when the index reads every word of it, else
    None. English that reads as romaji (I hate rain) leaves words that no
    index term reads, so it stays as typed."""
    spelled = romaji_spelling(normalize_text(question), needs_japanese=False)
    if spelled is None:
        return None
    _rest, terms, unread = read_kana_words(model, spelled)
    return spelled if terms and not unread else None


# A question needs this many katakana letters to be read in hiragana: fewer
# are a word or two, not a sentence typed without conversion.
MIN_KATAKANA_LETTERS = 4


def read_kana_words(model: IndexModel, question: str) -> tuple[str, list[str], int]:
    """Return ``question`` without its all-hiragana words, the index terms those
    words are read as, and how many stretches of them no term reads.

    Only a question without kanji and katakana is read this way. A word is read
    from its start: a question word or ending is skipped, then the longest
    reading in :func:`reading_table` is taken. Characters that start neither
    are left over, and each stretch of two or more of them, particles aside,
    counts as a word that no page contains (せいじんしき on a site that never
    names 成人式). The question is normalised first, so that kana typed with
    separate voicing marks (decomposed じ) read as the composed ones do.

    In a question with kanji or katakana, only a hiragana run that is, whole
    or before one particle, the reading of a term that Sudachi does not find
    in it is read (こそだての手当: こそだて is 子育て, which Sudachi reads
    as 伊達); see :func:`_read_mixed`.
    """
    if not _KANJI_OR_KATAKANA.search(question):
        question = normalize_text(question)
    if _KANJI_OR_KATAKANA.search(question):
        return _read_mixed_cached(model, question)
    words = list(_KANA_WORD.finditer(question))
    if not words:
        return question, [], 0
    table = reading_table(model)
    longest = model.__dict__["_longest_reading"]
    found: list[str] = []
    unread = 0
    for match in words:
        terms, stretches = _read(match.group(), table, longest)
        found.extend(terms)
        unread += stretches
    rest = _KANA_WORD.sub(" ", question)
    return rest, found, unread


# A hiragana run inside a question with kanji or katakana.
_HIRAGANA_RUN = re.compile(r"[ぁ-ゖー]{3,}")
# Runs shorter than this are mostly grammar (ですか), so they are left to Sudachi.
MIN_MIXED_READING_CHARS = 3
# The minimum length of the site's words read from the start of a run, whose
# rest is left to Sudachi (しゅうがくえんじょ of しゅうがくえんじょってうちも).
MIN_PREFIX_READING_CHARS = 5


# Mixed questions read per model, emptied when full, as the term caches of
# index.tokenize are: a repeated question is read once.
_MIXED_CACHE_LIMIT = 10_000


def _read_mixed_cached(model: IndexModel, question: str) -> tuple[str, list[str], int]:
    """Return :func:`_read_mixed` of ``question``, kept on ``model``.

    Two threads may read the same question at the same time; both get equal
    results.
    """
    cache = model.__dict__.setdefault("_mixed_readings", {})
    found = cache.get(question)
    if found is None:
        if len(cache) >= _MIXED_CACHE_LIMIT:
            cache.clear()
        rest, terms_read, unread = _read_mixed(model, question)
        found = cache[question] = (rest, tuple(terms_read), unread)
    return found[0], list(found[1]), found[2]


def _read_mixed(model: IndexModel, question: str) -> tuple[str, list[str], int]:
    """Return a question with kanji or katakana without the hiragana runs that
    are term readings Sudachi misses, and those terms.

    A run counts whole, without one particle at its end (こそだての), or by
    its longest reading from its start of at least MIN_PREFIX_READING_CHARS
    (しゅうがくえんじょってうちも). What counts must be at least
    MIN_MIXED_READING_CHARS long, and Sudachi must not read it well
    (:func:`_sudachi_reads`). Runs of grammar
    (どうしたらいいですか) are no reading, and a content word Sudachi reads in
    the site's words (そだいごみ) is left to it, so most questions come back
    unchanged.
    """
    table = reading_table(model)
    longest = model.__dict__["_longest_reading"]
    found: list[str] = []
    pieces: list[str] = []
    position = 0
    for match in _HIRAGANA_RUN.finditer(question):
        run = match.group()
        for reading, terms_read in _run_readings(run, table, longest):
            if len(reading) < MIN_MIXED_READING_CHARS:
                continue
            if not _sudachi_reads(model, reading, terms_read):
                found.extend(terms_read)
                pieces.append(question[position : match.start()] + " ")
                position = match.start() + len(reading)
                break
    if not found:
        return question, [], 0
    pieces.append(question[position:])
    return "".join(pieces), found, 0


def _run_readings(
    run: str, table: dict[str, str], longest: int
) -> list[tuple[str, list[str]]]:
    """Return the readings that a hiragana run of a mixed question may be, with
    their terms.

    They are the whole run and the run without a particle at its end. The
    site's words read one after another from its start count too, when they
    cover at least MIN_PREFIX_READING_CHARS (しゅうがく and えんじょ of
    しゅうがくえんじょってうちも).
    """
    readings = []
    for whole in (run, run[:-1] if run[-1] in _PARTICLES else None):
        if whole is not None and whole in table:
            readings.append((whole, [table[whole]]))
    start, leading = 0, []
    while length := _reading_length(run, start, table, longest):
        leading.append(table[run[start : start + length]])
        start += length
    if start >= MIN_PREFIX_READING_CHARS and start < len(run):
        readings.append((run[:start], leading))
    return readings


def _sudachi_reads(model: IndexModel, reading: str, terms_read: list[str]) -> bool:
    """Tell whether Sudachi reads the hiragana run ``reading`` well: its terms
    include all of ``terms_read``, or all of its words are terms of the index
    (そだいごみ as 粗大 and ごみ, while こそだて as こ, そ and 伊達 is not)."""
    found = terms(reading)
    if all(term in found for term in terms_read):
        return True
    words = [word for word in found if not word.startswith(SYNONYM_PREFIX)]
    return bool(words) and all(word in model.term_vocabulary for word in words)


def _read(word: str, table: dict[str, str], longest: int) -> tuple[list[str], int]:
    """Return the terms whose readings make up ``word``, and the number of
    left-over stretches that are more than a particle."""
    terms: list[str] = []
    stretches = 0
    left_over = ""
    start = 0
    while start < len(word):
        skipped = _function_word_length(word, start)
        length = 0 if skipped else _reading_length(word, start, table, longest)
        if not skipped and not length:
            left_over += word[start]
            start += 1
            continue
        stretches += _is_word(left_over)
        left_over = ""
        if length:
            terms.append(table[word[start : start + length]])
        start += skipped or length
    stretches += _is_word(left_over)
    return terms, stretches


def _function_word_length(word: str, start: int) -> int:
    for function_word in _FUNCTION_WORDS:
        if word.startswith(function_word, start):
            return len(function_word)
    return 0


def _reading_length(word: str, start: int, table: dict[str, str], longest: int) -> int:
    for end in range(min(len(word), start + longest), start, -1):
        if end - start >= MIN_READING_CHARS and word[start:end] in table:
            return end - start
    return 0


def _is_word(left_over: str) -> bool:
    return len(left_over.strip("".join(_PARTICLES))) >= 2
