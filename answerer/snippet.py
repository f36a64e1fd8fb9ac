"""The passage of a page that matches a question best, cut to at most 100 characters."""

from __future__ import annotations

import re

from index.normalize import normalize_text
from index.tokenize import joins_previous
from index.vectorize import PageEntry

MAX_SNIPPET_CHARS = 100
ELLIPSIS = "…"
# The best passage of the ranker's best window is shown unless a passage elsewhere
# on the page has more than this many times its n-gram weight. That happens when
# the window contains only the title and a line that shares a verb ending with the
# question.
WINDOW_PREFERENCE = 2.0

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


def best_snippet(
    page: PageEntry,
    grams: tuple[tuple[str, float], ...],
    window: tuple[int, int] | None = None,
) -> str:
    """Return the passage of ``page`` that contains the most question n-gram weight.

    ``grams`` are the question's character n-grams with their idf. A passage's
    weight is the sum of the idf of the distinct n-grams it contains. Passages
    that only repeat the title, or only hold a date or a page number, are never
    chosen. ``window`` (first, end) is the ranker's best passage window. Its best
    passage wins unless no passage there matches, or a passage elsewhere on the
    page weighs more than WINDOW_PREFERENCE times as much.
    The passage is cut around its rarest match by :func:`cut`. A page where
    nothing matches gives its first usable passage, or else its title.
    """
    weights = dict(grams)
    title = normalize_text(page.title).strip()
    candidates = [
        (number, passage, key)
        for number, (passage, key) in enumerate(
            zip(page.passages, page.match_passages(), strict=True)
        )
        if key != title and not is_page_furniture(key)
    ]
    best, best_weight = _heaviest(candidates, weights)
    if window is not None:
        inside = [item for item in candidates if window[0] <= item[0] < window[1]]
        local, local_weight = _heaviest(inside, weights)
        if local is not None and local_weight * WINDOW_PREFERENCE >= best_weight:
            best = local
    if best is None:
        fallback = candidates[0][1] if candidates else page.title
        return cut(fallback, 0)
    passage, key = best
    return cut(passage, _anchor(key, weights))


def _heaviest(
    candidates: list[tuple[int, str, str]], weights: dict[str, float]
) -> tuple[tuple[str, str] | None, float]:
    """Return the (passage, normalised passage) with the most weight, and it."""
    best, best_weight = None, 0.0
    for _, passage, key in candidates:
        weight = sum(value for gram, value in weights.items() if gram in key)
        if weight > best_weight:
            best, best_weight = (passage, key), weight
    return best, best_weight


def _anchor(passage: str, weights: dict[str, float]) -> int:
    matches = [(weight, gram) for gram, weight in weights.items() if gram in passage]
    if not matches:
        return 0
    _, gram = max(matches)
    return passage.find(gram)


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
        start = max(0, min(anchor - limit // 4, len(text) - limit))
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
