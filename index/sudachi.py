"""The process's Sudachi dictionary, a tokenizer per thread, and input pieces.

One :class:`sudachipy.Dictionary` is loaded per process and each thread gets its own
Tokenizer, because a SudachiPy Tokenizer keeps state between calls and is not
thread-safe. Sudachi refuses input above about 49,000 bytes, so longer text is
cut into pieces first, never inside a character or before a combining mark.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

from sudachipy import Dictionary, SplitMode, Tokenizer

from index.normalize import joins_previous

logger = logging.getLogger(__name__)

# SudachiPy 0.7 rejects input longer than 49,149 bytes of UTF-8. Pieces stay well below.
MAX_CHUNK_BYTES = 40_000
# A piece is preferably cut after one of these, searched backwards from the limit.
_BREAKS = ("\n", "。", "．", ". ", "！", "？", "!", "?", "、", " ")

_dictionary: Dictionary | None = None
_dictionary_lock = threading.Lock()
_local = threading.local()


def dictionary() -> Dictionary:
    """Return the process-wide sudachidict-core dictionary, loading it once."""
    global _dictionary
    if _dictionary is None:
        with _dictionary_lock:
            if _dictionary is None:
                logger.debug("loading the Sudachi core dictionary")
                _dictionary = Dictionary(dict="core")
    return _dictionary


def tokenizer() -> Tokenizer:
    """Return this thread's Sudachi tokenizer, creating it on first use."""
    current = getattr(_local, "tokenizer", None)
    if current is None:
        current = dictionary().tokenizer(mode=SplitMode.C)
        _local.tokenizer = current
    return current


def split_for_sudachi(text: str, max_bytes: int = MAX_CHUNK_BYTES) -> Iterator[str]:
    """Yield pieces of ``text`` whose UTF-8 size is at most ``max_bytes``.

    A piece ends after a line break or sentence mark when one lies in its second half,
    otherwise between two characters, never inside a character and never before a
    combining mark or variation selector.
    """
    if max_bytes < 16:
        raise ValueError(f"max_bytes={max_bytes!r} is too small; use at least 16")
    start = 0
    while start < len(text):
        end = _piece_end(text, start, max_bytes)
        yield text[start:end]
        start = end


def _piece_end(text: str, start: int, max_bytes: int) -> int:
    # Each character is at most 4 bytes, so max_bytes // 4 characters always fit.
    end = min(len(text), start + max_bytes // 4)
    while end < len(text):
        step = min(len(text), end + 256)
        if len(text[start:step].encode("utf-8")) > max_bytes:
            break
        end = step
    while len(text[start:end].encode("utf-8")) > max_bytes:
        end -= 1
    if end >= len(text):
        return len(text)
    half = start + (end - start) // 2
    for mark in _BREAKS:
        cut = text.rfind(mark, half, end)
        # A mark that a combining mark follows keeps it (、 + U+3099), so the next
        # piece never starts with it.
        if cut != -1 and not joins_previous(text[cut + len(mark)]):
            return cut + len(mark)
    while end > start + 1 and joins_previous(text[end]):
        end -= 1
    return end
