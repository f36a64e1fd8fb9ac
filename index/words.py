"""How many content words a short text has, counted the way terms are made."""

from __future__ import annotations

from index.tokenize import cached_morpheme_terms, content_pos_ids, morphemes

# Counts of texts up to _SHORT_TEXT_CHARS characters, keyed by the text, as
# index.tokenize keeps the terms of questions.
_COUNT_CACHE: dict[str, int] = {}
_COUNT_CACHE_LIMIT = 20_000
_SHORT_TEXT_CHARS = 400


def content_word_count(text: str) -> int:
    """Return the number of distinct content words of ``text``.

    A content word is a split mode C morpheme that gives index terms
    (:func:`index.tokenize.terms`); it counts once by its first term, so 市 twice
    counts once, and its compound parts and synonym groups do not count. Particles,
    auxiliaries, symbols and the dropped light words count as none.
    """
    if len(text) > _SHORT_TEXT_CHARS:
        return _count(text)
    found = _COUNT_CACHE.get(text)
    if found is None:
        found = _count(text)
        if len(_COUNT_CACHE) >= _COUNT_CACHE_LIMIT:
            _COUNT_CACHE.clear()
        _COUNT_CACHE[text] = found
    return found


def _count(text: str) -> int:
    content = content_pos_ids()
    words: set[str] = set()
    for morpheme in morphemes(text):
        if morpheme.part_of_speech_id() not in content:
            continue
        found = cached_morpheme_terms(morpheme)
        if found:
            words.add(found[0])
    return len(words)
