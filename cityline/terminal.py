"""Text from residents made safe to print on a staff member's terminal, and
padded to line up in columns."""

from __future__ import annotations

import json
import re
import unicodedata

# C0 controls (newline and tab among them), DEL, C1 controls, and the Unicode
# marks that set the direction of the text around them (U+061C, U+200E, U+200F,
# U+202A to U+202E, U+2066 to U+2069). A resident's text could otherwise clear
# the screen, retitle the window, reverse what follows, or start a line that
# reads as another field.
_DEL_C1_DIRECTION = "\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[\x00-\x1f{_DEL_C1_DIRECTION}]")


def terminal_safe(text: str) -> str:
    """Return ``text`` with each control or direction mark written as an escape
    (``\\n``, ``\\x1b``, ``\\u202e``), so that it prints on one line as typed."""
    return _UNSAFE.sub(_escape, text)


def _escape(match: re.Match) -> str:
    char = match.group()
    if char == "\n":
        return "\\n"
    if char == "\t":
        return "\\t"
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def json_text(value: object, **options) -> str:
    """Return ``value`` as JSON text (``json.dumps`` with ``ensure_ascii=False``
    and ``options``) in which DEL, C1 controls and direction marks are written
    as ``\\uXXXX`` escapes.

    JSON escapes the C0 controls itself. The other marks are legal in a JSON
    string as they are, but on a terminal they could reverse or hide what
    follows. Escaped, they decode to the same value.
    """
    return _JSON_UNSAFE.sub(
        _json_escape, json.dumps(value, ensure_ascii=False, **options)
    )


# The characters of _UNSAFE that json.dumps leaves as they are.
_JSON_UNSAFE = re.compile(f"[{_DEL_C1_DIRECTION}]")


def _json_escape(match: re.Match) -> str:
    return f"\\u{ord(match.group()):04x}"


def display_width(text: str) -> int:
    """Return the terminal columns of ``text``: 2 for each wide or full-width
    character (漢字, かな, Ａ), 1 for any other."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad_columns(text: str, width: int) -> str:
    """Return ``text`` padded with spaces to ``width`` terminal columns; text
    wider than that is returned as it is."""
    return text + " " * max(0, width - display_width(text))
