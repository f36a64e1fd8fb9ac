"""Page records as the index sees them, and the passages used for snippets."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from index.normalize import visible_nfkc

# Passages longer than this are cut at sentence ends, so a snippet can come from
# inside a long paragraph.
MAX_PASSAGE_CHARS = 200
_SENTENCE_END = re.compile(r"(?<=[。！？!?])")
_SPACES = re.compile(r"[ \t\u3000]+")


@dataclass(frozen=True)
class PageRecord:
    """One page to index: its answer URL, title, breadcrumbs and body text."""

    url: str
    title: str
    text: str
    breadcrumbs: list[str] = field(default_factory=list)


class StoredPageLike(Protocol):
    """The fields of the crawler's StoredPage that the index reads."""

    url: str
    canonical_url: str | None
    title: str
    breadcrumbs: list[str]
    text: str


def records_from_pages(pages: Iterable[StoredPageLike]) -> Iterator[PageRecord]:
    """Yield a PageRecord per stored page, answering with its canonical URL.

    Pages that share a canonical URL are indexed once, the first one winning.
    """
    seen: set[str] = set()
    for page in pages:
        url = page.canonical_url or page.url
        if url in seen:
            continue
        seen.add(url)
        yield PageRecord(
            url=url,
            title=page.title or "",
            text=page.text or "",
            breadcrumbs=list(page.breadcrumbs or []),
        )


def passages(text: str) -> list[str]:
    """Split body text into passages: non-empty lines, long lines cut at sentences.

    Passages are shown to residents as snippets, so they are only NFKC-normalised
    with runs of spaces collapsed and invisible characters dropped
    (:func:`index.normalize.drop_invisible`), and keep their letter case. Each
    passage has the same length as its :func:`index.normalize.normalize_text`
    form, so positions found in one hold in the other.
    """
    result: list[str] = []
    for line in text.splitlines():
        line = _SPACES.sub(" ", visible_nfkc(line)).strip()
        if not line:
            continue
        if len(line) <= MAX_PASSAGE_CHARS:
            result.append(line)
            continue
        result.extend(_sentences(line))
    return result


def _sentences(line: str) -> list[str]:
    pieces: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(line):
        if current and len(current) + len(sentence) > MAX_PASSAGE_CHARS:
            pieces.append(current)
            current = ""
        current += sentence
    if current:
        pieces.append(current)
    return [piece.strip() for piece in pieces if piece.strip()]
