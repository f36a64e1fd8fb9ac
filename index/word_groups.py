"""Groups of words that residents and city pages use for the same thing.

Sudachi's synonym groups (see :mod:`index.variants`) join many pairs, such as 引っ越す
and 転居, but not the words that a resident writes and a city page does not:
再発行 against 再交付, 赤ちゃん against 乳児, 引き落とし against 口座振替.
``word_groups.txt`` beside this module lists such groups, one per line. Every word of
a group gets the group's term (``syn:w:`` and the key of the group's first word),
in pages and questions alike, the way a Sudachi synonym group id does.

Each word must be one content word for Sudachi in split mode C, so that the group
can be found by the word's key. A phrase such as 燃やすごみ is two words, so
building the table raises WordGroupError for it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

from cityline.errors import CitylineError

logger = logging.getLogger(__name__)

GROUPS_PATH = Path(__file__).with_name("word_groups.txt")
# Group terms start like Sudachi's group terms (``syn:1092``), so that code that
# treats synonym terms alike covers both. The ``w:`` keeps a group whose first
# word is a numeral (20) apart from Sudachi's group of that number.
GROUP_PREFIX = "syn:w:"


class WordGroupError(CitylineError, ValueError):
    """Raised when a line of the word group file cannot be used."""


def read_groups(path: Path | None = None) -> list[tuple[int, tuple[str, ...]]]:
    """Return (line number, words) for each group line of ``path``.

    ``path`` defaults to GROUPS_PATH, read when called. Words are separated by
    any whitespace, ideographic spaces included. Text from
    ``#`` to the end of a line is a comment, and blank lines are skipped. A group
    needs at least two words, and no word may appear twice in one group. Raises
    WordGroupError for an unreadable file or an invalid line.
    """
    return read_groups_and_digest(path)[0]


def read_groups_and_digest(
    path: Path | None = None,
) -> tuple[list[tuple[int, tuple[str, ...]]], str]:
    """Return :func:`read_groups` of ``path`` and the digest of those groups
    (see :func:`groups_digest`)."""
    path = GROUPS_PATH if path is None else path
    try:
        data = path.read_bytes()
        content = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise WordGroupError(
            f"word group file {str(path)!r} cannot be read ({exc}); "
            "restore it as UTF-8 text, one group of words per line"
        ) from exc
    groups = _parse(content, path)
    return groups, _digest(groups)


def _parse(content: str, path: Path) -> list[tuple[int, tuple[str, ...]]]:
    groups = []
    # Split on line feeds alone, so that line numbers are those an editor shows.
    for number, line in enumerate(content.split("\n"), 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        words = tuple(text.split())
        if len(words) < 2:
            raise WordGroupError(
                f"{path}:{number}: invalid group {text!r}: it contains one word; "
                "list at least two words that mean the same thing"
            )
        if len(set(words)) != len(words):
            raise WordGroupError(
                f"{path}:{number}: invalid group {text!r}: it repeats a word; "
                "list each word once"
            )
        groups.append((number, words))
    return groups


def build_table(
    groups: list[tuple[int, tuple[str, ...]]],
    key_of_word: Callable[[str], str | None],
    path: Path | None = None,
) -> dict[str, tuple[str, ...]]:
    """Map each word's term key to the terms of the groups it belongs to.

    ``key_of_word`` returns the key of a text that is one content word, or None
    when the text is not. A word without a key raises WordGroupError, which
    names its line in ``path`` (default GROUPS_PATH).
    """
    path = GROUPS_PATH if path is None else path
    table: dict[str, list[str]] = {}
    first_lines: dict[str, int] = {}
    for number, words in groups:
        keys = [_word_key(word, number, key_of_word, path) for word in words]
        term = GROUP_PREFIX + keys[0]
        if term in first_lines:
            raise WordGroupError(
                f"{path}:{number}: group {' '.join(words)!r} starts with the same "
                f"word as the group on line {first_lines[term]}; "
                "merge the two lines or start this one with another word"
            )
        first_lines[term] = number
        for key in keys:
            found = table.setdefault(key, [])
            if term not in found:
                found.append(term)
    logger.debug("word groups: %d groups, %d words", len(groups), len(table))
    return {key: tuple(terms) for key, terms in table.items()}


def _word_key(
    word: str, number: int, key_of_word: Callable[[str], str | None], path: Path
) -> str:
    key = key_of_word(word)
    if key is None:
        raise WordGroupError(
            f"{path}:{number}: {word!r} is not one content word for Sudachi; "
            "write a single word (a phrase cannot be matched by its key)"
        )
    return key


def groups_digest(path: Path | None = None) -> str:
    """Return the digest of the groups in the file (default GROUPS_PATH) now.

    The digest covers the groups, not the bytes: comments, blank lines, spacing,
    line endings and a byte order mark leave it as it was, so such an edit does
    not make built indexes stale. Raises WordGroupError for an unreadable file.
    """
    return read_groups_and_digest(path)[1]


def _digest(groups: list[tuple[int, tuple[str, ...]]]) -> str:
    canonical = "\n".join(" ".join(words) for _, words in groups)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
