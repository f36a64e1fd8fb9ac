"""The passage of a page that matches a question best, cut to at most 100 characters."""

from __future__ import annotations

from index.normalize import normalize_text
from index.vectorize import PageEntry

MAX_SNIPPET_CHARS = 100
ELLIPSIS = "…"


def best_snippet(
    page: PageEntry,
    grams: tuple[tuple[str, float], ...],
    window: tuple[int, int] | None = None,
) -> str:
    """Return the passage of ``page`` that contains the most question n-gram weight.

    ``grams`` are the question's character n-grams known to the index, with their
    idf. ``window`` (first, end) limits the search to those passages when the
    ranker found the best passage window. A passage's
    weight is the sum of the idf of the distinct n-grams it contains. A passage
    that only repeats the title is skipped, because the title is shown anyway. The
    passage is cut around its rarest match when longer than MAX_SNIPPET_CHARS; a
    page where nothing matches gives its first passage other than the title.
    """
    weights = dict(grams)
    title = normalize_text(page.title).strip()
    pairs = list(zip(page.passages, page.match_passages(), strict=True))
    if window is not None:
        # The ranker's best passage window; searching it alone keeps this cheap.
        pairs = pairs[window[0] : window[1]] or pairs
    candidates = [(passage, key) for passage, key in pairs if key != title]
    best, best_key, best_weight = None, "", 0.0
    for passage, key in candidates:
        weight = sum(value for gram, value in weights.items() if gram in key)
        if weight > best_weight:
            best, best_key, best_weight = passage, key, weight
    if best is None:
        fallback = candidates[0][0] if candidates else page.title
        return cut(fallback, 0)
    return cut(best, _anchor(best_key, weights))


def _anchor(passage: str, weights: dict[str, float]) -> int:
    matches = [(weight, gram) for gram, weight in weights.items() if gram in passage]
    if not matches:
        return 0
    _, gram = max(matches)
    return passage.find(gram)


def cut(text: str, anchor: int, limit: int = MAX_SNIPPET_CHARS) -> str:
    """Return at most ``limit`` characters of ``text`` around index ``anchor``.

    The window starts a quarter of the limit before the anchor; an ellipsis marks
    each cut end and counts towards the limit.
    """
    text = text.strip()
    if len(text) <= limit:
        return text
    start = max(0, min(anchor - limit // 4, len(text) - limit))
    room = limit - (1 if start > 0 else 0)
    end = start + room
    if end < len(text):
        end -= 1
    piece = text[start:end]
    if start > 0:
        piece = ELLIPSIS + piece
    if end < len(text):
        piece += ELLIPSIS
    return piece
