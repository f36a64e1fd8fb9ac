"""Sudachi tokenization into index terms, the same function for pages and questions.

Sudachi comes from :mod:`index.sudachi`, with one dictionary per process and
one tokenizer per thread. Each text is normalised
(:func:`index.normalize.normalize_text`), cut into pieces below Sudachi's input
limit, and tokenized in split mode C. Every content word then yields:

- its long unit (mode C), such as 国民健康保険;
- its middle units (mode B) and short units (mode A) when it is a compound, such as
  国民, 健康, 保険, so that 健康保険 and 国民健康保険 share terms.

Spelling and kana variants are joined by :mod:`index.variants`, and the words that
residents and city pages use for one thing by :mod:`index.word_groups`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from sudachipy import Morpheme, SplitMode

from index import word_groups
from index.normalize import normalize_text
from index.sudachi import MAX_CHUNK_BYTES, dictionary, split_for_sudachi, tokenizer
from index.variants import STOP_TERMS, is_content_pos, key_of_form, synonym_terms
from index.word_groups import build_table, read_groups_and_digest


def morphemes(text: str) -> Iterator[Morpheme]:
    """Yield the mode C morphemes of the normalised ``text``."""
    tok = tokenizer()
    for piece in split_for_sudachi(normalize_text(text)):
        yield from tok.tokenize(piece, SplitMode.C)


def content_pos_ids() -> frozenset[int]:
    """Return the Sudachi part-of-speech ids whose words may become terms.

    A morpheme whose ``part_of_speech_id()`` is not among them gives no term, so
    the hot loops skip it without reading its surface or dictionary entry.
    """
    return _pos_classes().content


@dataclass(frozen=True)
class _PosClasses:
    """Part-of-speech ids grouped by the checks that :func:`morpheme_terms` makes."""

    content: frozenset[int]  # see index.variants.is_content_pos
    nouns: frozenset[int]  # 名詞: compounds also yield their parts
    numerals: frozenset[int]  # 数詞: the surface decides whether a key is kept


def _pos_classes() -> _PosClasses:
    global _pos_class_table
    if _pos_class_table is None:
        content, nouns, numerals = set(), set(), set()
        dic = dictionary()
        pos_id = 0
        while (pos := dic.pos_of(pos_id)) is not None:
            if is_content_pos(pos):
                content.add(pos_id)
            if pos[0] == "名詞":
                nouns.add(pos_id)
            if pos[1] == "数詞":
                numerals.add(pos_id)
            pos_id += 1
        _pos_class_table = _PosClasses(
            frozenset(content), frozenset(nouns), frozenset(numerals)
        )
    return _pos_class_table


_pos_class_table: _PosClasses | None = None


def passage_terms(normalized_passages: list[str]) -> list[list[str]]:
    """Return the terms of each passage, tokenizing them together in few calls.

    The passages must already be in :func:`normalize_text` form and hold no line
    break. They are joined with line breaks, tokenized in pieces below the input
    limit, and each morpheme goes to the passage its first character belongs to;
    Sudachi never joins characters across a line break into one morpheme.

    Passages seen before (menus, contact boxes and notices repeat across a site)
    are not tokenized again; see :func:`_separable` for when that holds.
    """
    return [list(found) for found in passage_term_tuples(normalized_passages)]


def passage_term_tuples(normalized_passages: list[str]) -> list[tuple[str, ...]]:
    """Return :func:`passage_terms` as tuples that may be shared with the cache.

    The index build reads them without copying; callers must not rely on the
    identity of the tuples.
    """
    if not normalized_passages:
        return []
    joined = "\n".join(normalized_passages)
    if not _separable(normalized_passages, joined):
        result: list[list[str]] = [[] for _ in normalized_passages]
        _collect_terms(split_for_sudachi(joined), _starts(normalized_passages), result)
        return [tuple(found) for found in result]
    last = len(normalized_passages) - 1
    keys = [(text, i == 0, i == last) for i, text in enumerate(normalized_passages)]
    cache = _PASSAGE_CACHE
    known = [cache.get(key) for key in keys]
    missing = [i for i, found in enumerate(known) if found is None]
    if missing:
        for i, found in zip(missing, _fresh_passage_terms(keys, missing), strict=True):
            known[i] = found
            _remember_passage(cache, keys[i], found)
    return known


# Terms of a separable passage keyed by (text, starts the call, ends the call).
# Emptied when full, like _TERM_CACHE. An entry of the mirror site takes about
# 600 bytes (tracemalloc), so a full cache takes about 30 MB, more for long
# passages. Threads share it through atomic dict reads and writes.
_PASSAGE_CACHE: dict[tuple[str, bool, bool], tuple[str, ...]] = {}
_PASSAGE_CACHE_LIMIT = 50_000


def _separable(normalized_passages: list[str], joined: str) -> bool:
    """Tell whether each passage tokenizes the same wherever its line breaks are.

    Sudachi puts a line break between two non-space characters in a morpheme of
    its own, and every path through the lattice passes through that morpheme. So
    the morphemes of a passage depend only on its text and on whether a line
    break or the start (end) of the call comes before (after) it. That holds when
    no passage is empty, contains a line break, or starts or ends with white
    space, because Sudachi groups a run of white space into one morpheme. The
    joined text must also fit in one call, as it then did before.
    """
    if len(joined) > MAX_CHUNK_BYTES // 4 and len(joined.encode()) > MAX_CHUNK_BYTES:
        return False
    return all(
        text and "\n" not in text and not text[0].isspace() and not text[-1].isspace()
        for text in normalized_passages
    )


def _fresh_passage_terms(
    keys: list[tuple[str, bool, bool]], missing: list[int]
) -> list[tuple[str, ...]]:
    """Tokenize the ``missing`` passages in one call, each in its own context.

    A passage that started (ended) the original call starts (ends) this one,
    and the others get a line break on each side.
    """
    texts = [keys[i][0] for i in missing]
    prefix = "" if keys[missing[0]][1] else "\n"
    suffix = "" if keys[missing[-1]][2] else "\n"
    joined = prefix + "\n".join(texts) + suffix
    found = _separated_terms(joined, len(texts), bool(prefix), bool(suffix))
    if found is None:  # not seen on the mirror or demo sites; offsets still work
        starts = [start + len(prefix) for start in _starts(texts)]
        result: list[list[str]] = [[] for _ in texts]
        _collect_terms([joined], starts, result)
        found = result
    return [tuple(terms_of_text) for terms_of_text in found]


def _separated_terms(
    text: str, count: int, prefix: bool, suffix: bool
) -> list[list[str]] | None:
    """Return the terms of the ``count`` texts that line breaks separate in ``text``.

    One Sudachi call; a morpheme goes to the text after the line breaks seen
    so far, so no offsets are read. Content words of the core dictionary are
    looked up by word id alone (see :func:`cached_morpheme_terms`). ``prefix``
    and ``suffix`` tell whether ``text`` starts and ends with a line break.
    Returns None if the line breaks that Sudachi reports do not match.
    """
    result: list[list[str]] = [[] for _ in range(count + 1)]
    current = -1 if prefix else 0
    add = result[max(current, 0)].extend
    content = content_pos_ids()
    space = _space_pos_id()
    cache = _TERM_CACHE
    for morpheme in tokenizer().tokenize(text, SplitMode.C):
        pos_id = morpheme.part_of_speech_id()
        if pos_id in content:
            found = cache.get(morpheme.word_id())
            if found is None:
                found = cached_morpheme_terms(morpheme)
            if found:
                add(found)
        elif pos_id == space:
            breaks = morpheme.surface().count("\n")
            if breaks:
                current += breaks
                if current > count:
                    return None
                add = result[current].extend
    if current != count - 1 + suffix:
        return None
    return result[:count]


def _remember_passage(
    cache: dict[tuple[str, bool, bool], tuple[str, ...]],
    key: tuple[str, bool, bool],
    found: tuple[str, ...],
) -> None:
    if len(cache) >= _PASSAGE_CACHE_LIMIT:
        cache.clear()
    cache[key] = found


def _starts(texts: list[str]) -> list[int]:
    """Return the offset of each text in ``"\\n".join(texts)``."""
    starts = []
    offset = 0
    for text in texts:
        starts.append(offset)
        offset += len(text) + 1
    return starts


def _collect_terms(
    pieces: Iterable[str], starts: list[int], result: list[list[str]]
) -> None:
    """Tokenize consecutive ``pieces`` and add each term to the text it starts in.

    ``starts`` contains the offset of each text in the concatenated pieces; a
    morpheme before the first start goes to the first text.
    """
    tok = tokenizer()
    content = content_pos_ids()
    cache = _TERM_CACHE
    piece_start = 0
    current = 0
    for piece in pieces:
        for morpheme in tok.tokenize(piece, SplitMode.C):
            if morpheme.part_of_speech_id() not in content:
                continue
            found = cache.get(morpheme.word_id())
            if found is None:
                found = cached_morpheme_terms(morpheme)
            if not found:
                continue
            position = piece_start + morpheme.begin()
            while current + 1 < len(starts) and starts[current + 1] <= position:
                current += 1
            result[current].extend(found)
        piece_start += len(piece)


def terms(text: str) -> list[str]:
    """Return the index terms of ``text``: content words, compounds and their parts.

    Pages and questions both go through this function, so a word is spelled the
    same way wherever it is compared. Terms include ``syn:<id>`` entries for
    Sudachi synonym groups (see :mod:`index.variants`).

    The terms of short texts are kept, since titles, breadcrumb trails and
    questions recur; each call returns a new list. ``text`` must hold no lone
    surrogate (UnicodeEncodeError): pass user input through
    :func:`index.normalize.replace_surrogates` first.
    """
    return list(_analysed(text)[0])


def content_word_count(text: str) -> int:
    """Return the number of distinct content words of ``text``.

    A content word is a split mode C morpheme that gives terms (see :func:`terms`).
    It counts once, by its first term, so 市 twice counts once. Its compound parts
    and synonym groups do not count, and neither do dropped words such as particles.
    The count comes from the same pass and cache as :func:`terms`.
    """
    return _analysed(text)[1]


def noun_spans(text: str) -> list[tuple[str, int, int]]:
    """Return (key, start, end) of each content noun of ``text``, in text order.

    Offsets are those of ``normalize_text(text)`` and keys those of
    :func:`terms`' long units. Meant for short texts such as questions: a text
    longer than one Sudachi piece gets offsets within its pieces. The spans of
    texts up to _NOUN_CACHE_CHARS characters are kept, as their terms are, and
    each call returns a new list.
    """
    if len(text) > _NOUN_CACHE_CHARS:
        return list(_text_noun_spans(text))
    cache = _NOUN_CACHE
    found = cache.get(text)
    if found is None:
        found = _text_noun_spans(text)
        if len(cache) >= _NOUN_CACHE_LIMIT:
            cache.clear()
        cache[text] = found
    return list(found)


def _text_noun_spans(text: str) -> tuple[tuple[str, int, int], ...]:
    classes = _pos_classes()
    found = []
    for morpheme in morphemes(text):
        pos_id = morpheme.part_of_speech_id()
        if pos_id not in classes.nouns:
            continue
        key, _ = _unit_key(morpheme, pos_id, classes)
        if key is not None:
            found.append((key, morpheme.begin(), morpheme.end()))
    return tuple(found)


def word_term_groups(text: str) -> tuple[tuple[str, ...], ...]:
    """Return the terms of ``text`` grouped by content word, in text order.

    Each group is one split mode C word's terms: its own term first, then its
    compound parts and its synonym group terms. :func:`terms` is the groups
    joined. Comes from the same pass and cache as :func:`terms`.
    """
    return _analysed(text)[2]


def _analysed(
    text: str,
) -> tuple[tuple[str, ...], int, tuple[tuple[str, ...], ...]]:
    """Return the terms, content word count and term groups of ``text``, cached
    if short."""
    if len(text) > _SHORT_TEXT_CHARS:
        return _text_terms(text)
    cache = _TEXT_CACHE
    found = cache.get(text)
    if found is None:
        found = _text_terms(text)
        if len(cache) >= _TEXT_CACHE_LIMIT:
            cache.clear()
        cache[text] = found
    return found


# Terms and content word counts of texts up to _SHORT_TEXT_CHARS characters,
# keyed by the text. The webhook process keeps it for its lifetime, so it stays
# small.
_TEXT_CACHE: dict[str, tuple[tuple[str, ...], int, tuple[tuple[str, ...], ...]]] = {}
_TEXT_CACHE_LIMIT = 20_000
_SHORT_TEXT_CHARS = 400
# noun_spans of texts up to _NOUN_CACHE_CHARS characters, keyed by the text, at
# most _NOUN_CACHE_LIMIT of them. The spans took about 16 KB for a text of 400
# characters (CPython 3.11), so these bounds keep the cache near 16 MB: an
# estimate for 2,000 texts of 200 characters.
# A question that names another office's service reads its nouns on every ask.
# Tokenizing パスポートの申請はどこでできますか again took 0.02 ms when repeated
# alone, and about 0.2 ms between other questions (benchmarks/index_speed.py
# questions, 2-core Xeon). The spans do not depend on the word groups, so a new
# group table leaves this cache as it is.
_NOUN_CACHE: dict[str, tuple[tuple[str, int, int], ...]] = {}
_NOUN_CACHE_LIMIT = 2_000
_NOUN_CACHE_CHARS = 200


def _text_terms(
    text: str,
) -> tuple[tuple[str, ...], int, tuple[tuple[str, ...], ...]]:
    result: list[str] = []
    groups: list[tuple[str, ...]] = []
    words: set[str] = set()
    tok = tokenizer()
    content = content_pos_ids()
    cache = _TERM_CACHE
    for piece in split_for_sudachi(normalize_text(text)):
        for morpheme in tok.tokenize(piece, SplitMode.C):
            if morpheme.part_of_speech_id() not in content:
                continue
            found = cache.get(morpheme.word_id())
            if found is None:
                found = cached_morpheme_terms(morpheme)
            if found:
                words.add(found[0])
                result.extend(found)
                groups.append(found)
    return tuple(result), len(words), tuple(groups)


# Terms of a morpheme, computed once per dictionary entry. A content word of the
# core dictionary is keyed by its word id, because its terms come from the
# entry alone (see cached_morpheme_terms). Other morphemes are keyed by
# (word id, surface). Bounded so that a stream of unknown words cannot grow it
# forever; CPython dict reads and writes are atomic, so threads share it.
_TERM_CACHE: dict[int | tuple[int, str], tuple[str, ...]] = {}
_TERM_CACHE_LIMIT = 500_000
# Word ids at or above this belong to no dictionary entry: Sudachi gives each
# unknown word 0xF0000000 plus its part-of-speech id. Ids below it name an entry
# of the core dictionary (or of a user dictionary, were one loaded).
_UNKNOWN_WORD_IDS = 0xF000_0000


def clear_caches() -> None:
    """Forget the cached terms of morphemes, passages and texts, and the noun
    spans of texts, as in a new process.

    The dictionary and the tokenizers stay loaded. Benchmarks call this so that
    each timed build starts as cold as a fresh ``cityline index``.
    """
    _TERM_CACHE.clear()
    _PASSAGE_CACHE.clear()
    _TEXT_CACHE.clear()
    _NOUN_CACHE.clear()


def cached_morpheme_terms(morpheme: Morpheme) -> tuple[str, ...]:
    """Return :func:`morpheme_terms` of ``morpheme``, from the cache when known.

    Terms are cached per word id when nothing in them depends on the surface:
    the part of speech, normalized form, splits and synonym groups are the
    entry's. The surface counts only for a numeral or a morpheme without a
    normalized form (see :func:`index.variants.content_key`), so those, like
    unknown words, are cached per (word id, surface).
    """
    cache = _TERM_CACHE
    word_id = morpheme.word_id()
    found = cache.get(word_id)
    if found is not None:
        return found
    key = (word_id, morpheme.surface())
    found = cache.get(key)
    if found is None:
        found, surface_matters = _entry_terms(morpheme)
        if len(cache) >= _TERM_CACHE_LIMIT:
            cache.clear()
        if word_id < _UNKNOWN_WORD_IDS and not surface_matters:
            cache[word_id] = found
        else:
            cache[key] = found
    return found


def _space_pos_id() -> int:
    """Return the part-of-speech id that Sudachi gives a line break."""
    global _space_pos
    if _space_pos is None:
        _space_pos = tokenizer().tokenize("a\na")[1].part_of_speech_id()
        if _space_pos in content_pos_ids():
            raise RuntimeError(
                f"a line break has a content part of speech ({_space_pos!r}); "
                "check the Sudachi dictionary"
            )
    return _space_pos


_space_pos: int | None = None


def morpheme_terms(morpheme: Morpheme) -> list[str]:
    """Return the terms of one mode C morpheme (empty for particles, symbols, ...).

    A noun compound yields its long unit, then its middle units that are not also short
    units, then its short units. Verbs and adjectives
    yield only their long unit, because the parts of 申し込む (申す, 込む) would
    only add noise.
    """
    return list(_entry_terms(morpheme)[0])


def _entry_terms(morpheme: Morpheme) -> tuple[tuple[str, ...], bool]:
    """Return :func:`morpheme_terms` and whether a surface was needed for them.

    Keys are those of :func:`index.variants.content_key`, found through
    part-of-speech ids instead of part-of-speech tuples.
    """
    classes = _pos_classes()
    pos_id = morpheme.part_of_speech_id()
    key, surface_matters = _unit_key(morpheme, pos_id, classes)
    if key is None:
        return (), surface_matters
    groups = word_group_table()
    found = [key, *synonym_terms(morpheme), *groups.get(key, ())]
    if pos_id not in classes.nouns:
        return tuple(found), surface_matters
    short_units = morpheme.split(SplitMode.A)
    if len(short_units) <= 1:
        found.extend(_script_part_terms(morpheme.surface(), key, classes))
        return tuple(found), surface_matters
    short = []
    for unit in short_units:
        unit_key, unit_surface = _unit_key(unit, unit.part_of_speech_id(), classes)
        surface_matters = surface_matters or unit_surface
        short.append((unit, unit_key))
    short_keys = [unit_key for _, unit_key in short if unit_key is not None]
    middle_units = morpheme.split(SplitMode.B)
    if 1 < len(middle_units) < len(short_units):
        for unit in middle_units:
            unit_key, unit_surface = _unit_key(unit, unit.part_of_speech_id(), classes)
            surface_matters = surface_matters or unit_surface
            if unit_key is not None and unit_key not in short_keys:
                found.append(unit_key)
    found.extend(short_keys)
    for unit, unit_key in short:
        if unit_key is not None:
            found.extend(synonym_terms(unit))
            found.extend(groups.get(unit_key, ()))
    return tuple(found), surface_matters


def _script_part_terms(surface: str, key: str, classes: _PosClasses) -> list[str]:
    """Return the terms of the nouns inside a one-unit noun written in two scripts.

    Sudachi keeps some compounds as one short unit: ごみ袋 (塵袋), 生ゴミ,
    ゴミ出し. Their head or modifier is then on no page's list of terms, so
    ごみ袋 does not reach pages on ごみ. Where the script changes (kanji,
    hiragana, katakana), the surface is cut, and each run of at least
    SCRIPT_PART_CHARS characters that Sudachi reads as one noun adds that
    noun's terms: ごみ of ごみ袋 and of 生ゴミ. Runs of one character (袋, 生)
    add nothing, nor does hiragana after another script, which is mostly
    okurigana (もり of 見積もり would read as 森). Only common nouns count,
    and not kana that Sudachi reads as a kanji word: くみ of くみ取り is a
    name, れい of れい子 a numeral, わき of わき水 becomes 脇.

    NOTE: the okurigana rule also skips a real noun written in hiragana after
    a kanji, so 乳がん (乳癌) still gets no がん term. A verb stem written in
    kana at the start still counts (とり of とり組み), and so does a loanword
    after a kanji (ボール of 段ボール).
    """
    runs = _SCRIPT_RUN.findall(surface)
    if len(runs) < 2:
        return []
    found: list[str] = []
    for number, run in enumerate(runs):
        if len(run) < SCRIPT_PART_CHARS:
            continue
        if number > 0 and _HIRAGANA_RUN.fullmatch(run):
            # Hiragana after another script is mostly okurigana: もり of 見積もり.
            continue
        parts = list(tokenizer().tokenize(run, SplitMode.C))
        if len(parts) != 1 or not _common_noun_as_written(parts[0], classes):
            continue
        part_key, _ = _unit_key(parts[0], parts[0].part_of_speech_id(), classes)
        if part_key is None or part_key == key:
            continue
        found.append(part_key)
        found.extend(synonym_terms(parts[0]))
        found.extend(word_group_table().get(part_key, ()))
    return found


def _common_noun_as_written(morpheme: Morpheme, classes: _PosClasses) -> bool:
    """Tell whether ``morpheme`` is a common noun (普通名詞) whose normalized
    form keeps its script: ごみ stays ごみ, but わき becomes 脇."""
    if morpheme.part_of_speech_id() not in classes.nouns:
        return False
    if morpheme.part_of_speech()[1] != "普通名詞":
        return False
    form = morpheme.normalized_form()
    return not (_KANJI.search(form) and not _KANJI.search(morpheme.surface()))


SCRIPT_PART_CHARS = 2
_KANJI = re.compile(r"[\u3005\u4e00-\u9fff]")
_HIRAGANA_RUN = re.compile(r"[\u3041-\u309f]+")
_SCRIPT_RUN = re.compile(
    r"[\u3005\u4e00-\u9fff]+|[\u3041-\u309f]+|[\u30a1-\u30fa\u30fc]+"
)


class WordGroupState(NamedTuple):
    """The word group table of one reading of the file, and that file's digest."""

    table: dict[str, tuple[str, ...]]
    digest: str


def word_group_table() -> dict[str, tuple[str, ...]]:
    """Return the key-to-terms table of :mod:`index.word_groups`, built once."""
    return _word_group_state().table


def word_groups_digest() -> str:
    """Return the digest of the word group file as this process read it."""
    return _word_group_state().digest


def read_word_groups() -> WordGroupState:
    """Read the word group file and return its table and digest, unpublished.

    :func:`publish_word_groups` makes them the process's groups.
    """
    path = word_groups.GROUPS_PATH
    groups, digest = read_groups_and_digest(path)
    return WordGroupState(build_table(groups, _single_word_key, path), digest)


def publish_word_groups(state: WordGroupState) -> None:
    """Make ``state`` (from :func:`read_word_groups`) the process's word groups.

    The term caches are replaced by empty ones after the table, and every
    function binds a cache before it reads the table. So a thread that was
    tokenizing with the old groups stores its terms in a cache no one reads any
    more, and no cache in use contains terms of the old groups once this returns.
    """
    global _word_groups, _TERM_CACHE, _PASSAGE_CACHE, _TEXT_CACHE
    with _word_groups_lock:
        _word_groups = state
        _TERM_CACHE = {}
        _PASSAGE_CACHE = {}
        _TEXT_CACHE = {}


def _word_group_state() -> WordGroupState:
    global _word_groups
    if _word_groups is None:
        with _word_groups_lock:
            if _word_groups is None:
                _word_groups = read_word_groups()
    return _word_groups


_word_groups: WordGroupState | None = None
_word_groups_lock = threading.Lock()


def _single_word_key(text: str) -> str | None:
    """Return the key of ``text`` when it is exactly one content word, else None."""
    found = list(morphemes(text))
    if len(found) != 1:
        return None
    morpheme = found[0]
    key, _ = _unit_key(morpheme, morpheme.part_of_speech_id(), _pos_classes())
    return key


def _unit_key(
    morpheme: Morpheme, pos_id: int, classes: _PosClasses
) -> tuple[str | None, bool]:
    """Return ``content_key(morpheme)`` and whether the surface decided it."""
    if pos_id not in classes.content:
        return None, False
    form = morpheme.normalized_form()
    key = key_of_form(form or morpheme.surface())
    if pos_id in classes.numerals:
        if not morpheme.surface().isdigit():
            return key, True
        return (None if key in STOP_TERMS else key), True
    return (None if key in STOP_TERMS else key), not form
