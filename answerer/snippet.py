"""The passage of a page that matches a question best, cut to at most 100 characters."""

from __future__ import annotations

from index.vectorize import IndexModel, PageEntry

MAX_SNIPPET_CHARS = 100
ELLIPSIS = "…"


def best_snippet(model: IndexModel, page: PageEntry, grams: tuple[str, ...]) -> str:
    """Return the passage of ``page`` that holds the most question n-gram weight.

    ``grams`` are the question's character n-grams known to the index. A passage's
    weight is the sum of the idf of the distinct n-grams it contains. The passage is
    cut around its first rare match when longer than MAX_SNIPPET_CHARS; a page
    without passages, or where nothing matches, gives its first passage or title.
    """
    weights = {
        gram: float(model.char_idf[model.char_vocabulary[gram]]) for gram in grams
    }
    best, best_weight = None, 0.0
    for passage in page.passages:
        weight = sum(value for gram, value in weights.items() if gram in passage)
        if weight > best_weight:
            best, best_weight = passage, weight
    if best is None:
        fallback = page.passages[0] if page.passages else page.title
        return cut(fallback, 0)
    anchor = _anchor(best, weights)
    return cut(best, anchor)


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
