"""The passage of a page that matches a question best, cut to at most 100 characters."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from answerer import kernel
from answerer.answer_type import first_statement, states_answer_types
from index.normalize import joins_previous, normalize_text
from index.vectorize import CODE_BITS, PageEntry, ngram_code, ngram_text

MAX_SNIPPET_CHARS = 100
# A passage on at least this share of the pages, and this many, is template
# text that a snippet falling back to a page's opening skips.
COMMON_PASSAGE_SHARE = 0.1
COMMON_PASSAGE_MIN_PAGES = 5
ELLIPSIS = "…"
# The best passage of the ranker's best window is shown unless a passage elsewhere
# on the page has more than this many times its n-gram weight. That happens when
# the window contains only the title and a line that shares a verb ending with the
# question.
WINDOW_PREFERENCE = 2.0
# A passage that states a fact of each kind the question requests (a time for
# いつまで, an amount for いくら) counts this many times its n-gram weight. The
# snippet then shows the asked fact, not the passage that repeats the question's
# words best.
KIND_PREFERENCE = 3.0

# A passage made only of these is page furniture (an update date, a page number)
# and is never shown as a snippet: 更新日 2026年4月1日, 最終更新日:令和8年4月1日,
# ページ番号 1004806.
_DATE = re.compile(
    r"(\d{4}|(令和|平成|昭和)\s*(\d{1,2}|元))\s*年(\s*\d{1,2}\s*月(\s*\d{1,2}\s*日)?)?"
    r"|\d{4}[/.-]\d{1,2}([/.-]\d{1,2})?"
)
_FURNITURE_LABEL = re.compile(
    r"最終更新日|更新日|更新|掲載日|公開日|作成日|登録日|ページ番号|ページid|id"
)
_LEFTOVER = re.compile(r"[\s\d:：()（）\[\]【】「」・/.,、。-]+")
_SENTENCE_END = re.compile(r"[。！？!?]")


def is_page_furniture(passage: str) -> bool:
    """Tell whether ``passage`` (normalised) is only dates, page numbers and labels."""
    rest = _DATE.sub(" ", passage)
    rest = _FURNITURE_LABEL.sub(" ", rest)
    return not _LEFTOVER.sub("", rest)


@dataclass(frozen=True)
class QuestionGrams:
    """A question's n-grams and their weights, ready to match against passages.

    ``values`` are the weights in n-gram order. ``codes`` are the n-grams'
    :func:`index.vectorize.ngram_codes` codes, or None when some n-gram is not a
    2- or 3-gram without a line break (only callers outside the ranker give
    those); ``texts`` spell them, and are derived from the codes when not given.
    ``lookup`` is :func:`answerer.kernel.gram_lookup` of the codes, made here
    when not given, so that each page's snippet search reuses it.
    """

    values: np.ndarray
    codes: np.ndarray | None
    texts: tuple[str, ...] | None = None
    lookup: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def __post_init__(self) -> None:
        if self.codes is not None and self.lookup is None:
            lookup = kernel.gram_lookup(self.codes, CODE_BITS)
            object.__setattr__(self, "lookup", lookup)

    @classmethod
    def of(cls, grams: Iterable[tuple[str, float]]) -> QuestionGrams:
        """Return the grams of ``(text, weight)`` pairs, as ``dict`` keeps them."""
        weights = dict(grams)
        regular = all(
            len(gram) in (2, 3) and _SEPARATOR not in gram for gram in weights
        )
        codes = (
            np.asarray([ngram_code(gram) for gram in weights], dtype=np.int64)
            if regular
            else None
        )
        values = np.asarray(list(weights.values()), dtype=np.float64)
        return cls(values=values, codes=codes, texts=tuple(weights))

    @property
    def weights(self) -> dict[str, float]:
        """The n-grams as a text to weight mapping."""
        texts = self.texts or tuple(ngram_text(int(code)) for code in self.codes)
        return dict(zip(texts, self.values.tolist(), strict=True))


def best_snippet(
    page: PageEntry,
    grams: QuestionGrams | Iterable[tuple[str, float]],
    window: tuple[int, int] | None = None,
    kinds: frozenset[str] = frozenset(),
) -> str:
    """Return the passage of ``page`` that contains the most question n-gram weight.

    ``grams`` are the question's character n-grams with their idf. A passage's
    weight is the sum of the idf of the distinct n-grams it contains. Passages
    that only repeat the title, or only hold a date or a page number, are never
    chosen. ``window`` (first, end) is the ranker's best passage window. Its best
    passage wins unless no passage there matches, or a passage elsewhere on the
    page weighs more than WINDOW_PREFERENCE times as much.
    ``kinds`` are the answer types the question asks for (see
    :mod:`answerer.answer_type`). A passage that states a fact of each counts
    KIND_PREFERENCE times its weight, and its cut keeps the first such fact.
    The passage is cut around its rarest match by :func:`cut`. A heading (a short
    passage without a sentence end) is shown with the passages under it, up to
    the first sentence end, cut from its start. A page where nothing matches
    gives its first usable passage, or else its title.
    """
    if not isinstance(grams, QuestionGrams):
        grams = QuestionGrams.of(grams)
    usable = usable_passages(page)
    low, high = (0, 0) if window is None else _window_items(usable, window)
    facts = usable.kind_facts(kinds)
    if grams.codes is None:
        best, anchor = _choose_by_search(usable, grams, low, high, facts.boosts)
    else:
        best, anchor = kernel.choose_passage(
            usable.points,
            usable.key_starts,
            usable.key_ends,
            grams.codes,
            grams.lookup,
            grams.values,
            CODE_BITS,
            low,
            high,
            WINDOW_PREFERENCE,
            facts.boosts,
        )
    best, anchor = _stating_passage(usable, grams, kinds, facts, (best, anchor))
    if best < 0:
        return cut(_first_own_passage(page, usable), 0)
    text = usable.texts[best]
    if _is_heading(text):
        return cut(_with_following(usable.texts, best), 0)
    return _cut_with_fact(text, anchor, kinds, facts.firsts[best])


def _first_own_passage(page: PageEntry, usable: UsablePassages) -> str:
    """Return the first usable passage of ``page`` that is not on many pages
    (see :func:`mark_common_passages`), else its first usable one, else its
    title. A share button's line (このページの情報をXでポストできます) often
    opens a page and means nothing to a resident."""
    common = page.__dict__.get("_common_passages", frozenset())
    for text in usable.texts:
        if text not in common:
            return text
    return usable.texts[0] if usable.texts else page.title


def mark_common_passages(
    pages: list[PageEntry],
    share: float = COMMON_PASSAGE_SHARE,
    minimum: int = COMMON_PASSAGE_MIN_PAGES,
) -> frozenset[str]:
    """Record on each page the passages found on more than ``share`` of the
    pages, and at least ``minimum`` pages; return them.

    Such a passage is the site's template in the page text (a share button, a
    contact heading), so a snippet that falls back to a page's first passage
    skips it. Call once per loaded index, before any snippet is chosen.
    """
    counts: Counter[str] = Counter()
    for page in pages:
        counts.update(set(page.passages))
    floor = max(minimum, share * len(pages))
    common = frozenset(key for key, count in counts.items() if count >= floor)
    for page in pages:
        page.__dict__["_common_passages"] = common
    return common


def _stating_passage(
    usable: UsablePassages,
    grams: QuestionGrams,
    kinds: frozenset[str],
    facts: KindFacts,
    chosen: tuple[int, int],
) -> tuple[int, int]:
    """Return (passage, anchor): ``chosen``, or a passage that states a clock time.

    A question with 何時 (``clock`` in ``kinds``) expects a clock time, which
    on a city page is usually opening or reception hours. When the chosen
    passage states neither a clock time nor a date but another usable passage
    states a clock time, the heaviest such passage (the first of equal weight)
    replaces it, anchored at its first fact. The hours rarely repeat the
    question's words (図書館は何時から on a library page, whose hours table names
    no 図書館), so n-gram weight alone picks the page's description. Other kinds
    keep the weighted choice, because a question with いつ matches dates of past
    notices as well as the expected one.
    """
    best, anchor = chosen
    if "clock" not in kinds or (best >= 0 and facts.boosts[best] > 1.0):
        return chosen
    if best >= 0 and usable.kind_facts(_TIME).boosts[best] > 1.0:
        # Residents also write 何時 for いつ (何時までに申し込む), so a chosen
        # passage with a date or a period stays.
        return chosen
    if not facts.stating:
        return chosen
    weights = usable.weights(grams)
    replacement = max(facts.stating, key=lambda item: (weights[item], -item))
    fact = facts.firsts[replacement]
    return replacement, 0 if fact is None else fact


_TIME = frozenset({"time"})


def _cut_with_fact(
    text: str, anchor: int, kinds: frozenset[str], fact: int | None
) -> str:
    """Cut ``text`` around ``anchor``, or around ``fact``, the offset of its first
    fact of ``kinds``, when the piece around ``anchor`` would leave every such
    fact out."""
    piece = cut(text, anchor)
    if fact is None or piece == text or states_answer_types(piece, kinds):
        return piece
    return cut(text, fact)


def _window_items(usable: UsablePassages, window: tuple[int, int]) -> tuple[int, int]:
    """Return the range of usable passages within passages ``window`` (first, end)."""
    numbers = usable.numbers
    return bisect_left(numbers, window[0]), bisect_left(numbers, window[1])


def _choose_by_search(
    usable: UsablePassages,
    grams: QuestionGrams,
    low: int,
    high: int,
    boosts: np.ndarray,
) -> tuple[int, int]:
    """Choose as :func:`answerer.kernel.choose_passage` does, by substring search."""
    weights = grams.weights
    totals = [
        total * boost
        for total, boost in zip(usable.weights(weights), boosts.tolist(), strict=True)
    ]
    best = _heaviest(totals, 0, len(totals))
    local = _heaviest(totals, low, high)
    if local is not None and totals[local] * WINDOW_PREFERENCE >= totals[best]:
        best = local
    if best is None:
        return -1, 0
    key = usable.keys[best]
    matches = [(weight, gram) for gram, weight in weights.items() if gram in key]
    return best, key.find(max(matches)[1])


# A passage this short without a sentence end reads as a heading, a label or a
# table row: 郵送で請求するとき, ペットボトル, 住民票の写し 1通300円.
HEADING_CHARS = 30


def _is_heading(text: str) -> bool:
    return len(text) <= HEADING_CHARS and not _SENTENCE_END.search(text)


def _with_following(texts: list[str], first: int) -> str:
    """Return ``texts[first]`` and the passages after it, up to a sentence end.

    A heading alone shows where the answer is but not its content, so the
    passages under it are added until one contains a sentence end or the snippet
    is full.
    """
    parts = [texts[first]]
    length = len(texts[first])
    for text in texts[first + 1 :]:
        if length >= MAX_SNIPPET_CHARS:
            break
        parts.append(text)
        length += len(text) + 1
        if _SENTENCE_END.search(text):
            break
    return " ".join(parts)


@dataclass(frozen=True)
class KindFacts:
    """Where the usable passages of a page state facts of a set of answer kinds.

    ``boosts`` gives each passage's weight factor: KIND_PREFERENCE for a passage
    that states a fact of each kind, or a heading whose shown text (with the
    passages under it) does, else 1. ``firsts`` gives the offset of the first
    fact of any of the kinds in each passage, or None. ``stating`` lists the
    passages with a boost, in order.
    """

    boosts: np.ndarray
    firsts: list[int | None]
    stating: tuple[int, ...]


@dataclass(frozen=True)
class UsablePassages:
    """The passages of one page that may be shown, with their normalised keys.

    ``numbers`` are their positions in ``page.passages``. ``joined`` is the keys
    joined by line breaks, and ``starts`` and ``ends`` the offset of each key in
    it and of the next key (or the end), so that one ``str.find`` per n-gram and
    matching passage finds the passages that contain the n-gram.
    """

    numbers: list[int]
    texts: list[str]
    keys: list[str]
    joined: str
    starts: list[int]
    ends: list[int]
    # The code points of ``joined``, and where each key starts and ends in it,
    # for matching n-gram codes.
    points: np.ndarray
    key_starts: np.ndarray
    key_ends: np.ndarray
    # Results of kind_facts, by the set of kinds.
    facts_cache: dict[frozenset[str], KindFacts] = field(default_factory=dict)

    def kind_facts(self, kinds: frozenset[str]) -> KindFacts:
        """Return where the passages state facts of ``kinds``, computed once per
        set of kinds.

        Two threads may compute it at the same time; both get equal values.
        """
        cached = self.facts_cache.get(kinds)
        if cached is not None:
            return cached
        boosts = np.ones(len(self.texts))
        firsts: list[int | None] = [None] * len(self.texts)
        stating = []
        for item, text in enumerate(self.texts if kinds else ()):
            firsts[item] = first_statement(text, kinds)
            shown_text = text
            if _is_heading(text):
                shown_text = _with_following(self.texts, item)
            if states_answer_types(shown_text, kinds):
                boosts[item] = KIND_PREFERENCE
                stating.append(item)
        cached = KindFacts(boosts=boosts, firsts=firsts, stating=tuple(stating))
        self.facts_cache[kinds] = cached
        return cached

    def weights(self, grams: QuestionGrams | dict[str, float]) -> list[float]:
        """Return each passage's sum of the values of the ``grams`` it contains.

        The values are added in the order of ``grams``, so each sum is the same
        float as ``sum(value for gram, value in grams.items() if gram in key)``.
        """
        if not isinstance(grams, QuestionGrams):
            grams = QuestionGrams.of(grams.items())
        if grams.codes is None:
            return self._weights_by_search(grams.weights)
        return kernel.passage_weights(
            self.points,
            self.key_starts,
            self.key_ends,
            grams.codes,
            grams.lookup,
            grams.values,
            CODE_BITS,
        ).tolist()

    def _weights_by_search(self, grams: dict[str, float]) -> list[float]:
        totals = [0.0] * len(self.keys)
        joined, starts, ends = self.joined, self.starts, self.ends
        for gram, value in grams.items():
            if not gram or _SEPARATOR in gram:
                for item, key in enumerate(self.keys):
                    if gram in key:
                        totals[item] += value
                continue
            position = joined.find(gram)
            while position >= 0:
                item = bisect_right(starts, position) - 1
                totals[item] += value
                position = joined.find(gram, ends[item])
        return totals


_SEPARATOR = "\n"


def usable_passages(page: PageEntry) -> UsablePassages:
    """Return the passages of ``page`` that may be shown, computed once per page.

    Two threads may compute it at the same time; both get equal values.
    """
    cached = page.__dict__.get("_usable_passages")
    if cached is None:
        title = normalize_text(page.title).strip()
        chosen = [
            (number, passage, key)
            for number, (passage, key) in enumerate(
                zip(page.passages, page.match_passages(), strict=True)
            )
            if key != title and not is_page_furniture(key)
        ]
        keys = [key for _, _, key in chosen]
        starts, offset = [], 0
        for key in keys:
            starts.append(offset)
            offset += len(key) + len(_SEPARATOR)
        joined = _SEPARATOR.join(keys)
        key_starts = np.asarray(starts, dtype=np.int64)
        key_lengths = np.asarray([len(key) for key in keys], dtype=np.int64)
        cached = UsablePassages(
            numbers=[number for number, _, _ in chosen],
            texts=[passage for _, passage, _ in chosen],
            keys=keys,
            joined=joined,
            starts=starts,
            ends=starts[1:] + [len(joined)],
            points=np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32),
            key_starts=key_starts,
            key_ends=key_starts + key_lengths,
        )
        page.__dict__["_usable_passages"] = cached
    return cached


def _heaviest(totals: list[float], start: int, end: int) -> int | None:
    """Return the first of items ``start`` to ``end`` with the largest positive
    total, or None."""
    best, best_total = None, 0.0
    for item in range(start, end):
        if totals[item] > best_total:
            best, best_total = item, totals[item]
    return best


def cut(text: str, anchor: int, limit: int = MAX_SNIPPET_CHARS) -> str:
    """Return at most ``limit`` characters of ``text`` around index ``anchor``.

    The piece starts at the start of the sentence that contains the anchor when that
    start lies within three quarters of the limit before it, else a quarter of
    the limit before the anchor. It ends after the last whole sentence that fits,
    when that keeps at least half the limit, else at the limit. An ellipsis marks
    each cut end and counts towards the limit. No cut falls between a character
    and a combining mark or variation selector that belongs to it.
    """
    text = text.strip()
    if len(text) <= limit:
        return text
    start = _start(text, anchor, limit)
    room = limit - (1 if start > 0 else 0)
    end = start + room
    if end < len(text):
        end = _end(text, start, end - 1, limit)
    piece = text[start:end]
    if start > 0:
        piece = ELLIPSIS + piece
    if end < len(text):
        piece += ELLIPSIS
    return piece


def _start(text: str, anchor: int, limit: int) -> int:
    anchor = max(0, min(anchor, len(text) - 1))
    sentence_start = 0
    for match in _SENTENCE_END.finditer(text, 0, anchor):
        sentence_start = match.end()
    if anchor - sentence_start <= limit * 3 // 4:
        start = sentence_start
    else:
        # A piece that starts after 0 has limit - 1 characters after its
        # ellipsis, so this is the last start that still reaches the end.
        start = max(0, min(anchor - limit // 4, len(text) - (limit - 1)))
    while 0 < start < len(text) and joins_previous(text[start]):
        start -= 1
    return start


def _end(text: str, start: int, end: int, limit: int) -> int:
    """Return where to end a piece that must stop at or before ``end``."""
    sentence_end = None
    for match in _SENTENCE_END.finditer(text, start, end):
        sentence_end = match.end()
    if sentence_end is not None and sentence_end - start >= limit // 2:
        return sentence_end
    while end > start and joins_previous(text[end]):
        end -= 1
    return end
