"""Text from residents made safe to print on a staff member's terminal, padded
to line up in columns, and staff text checked for control characters."""

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


# C0 and C1 control characters other than line breaks (LF, CR) and a tab, and
# the marks that set the direction of text. ESC and BEL come with text pasted
# from a terminal and are invalid in HTML and CSV. A direction mark would
# reverse what residents and the public files show after it.
PASTED_CONTROL_CHARACTER = re.compile(
    f"[\x00-\x08\x0b\x0c\x0e-\x1f{_DEL_C1_DIRECTION}]"
)


def control_character_problem(name: str, value: str) -> str | None:
    """Return an error that names the first control character of ``value``
    (PASTED_CONTROL_CHARACTER) and where it is, for the option or field
    ``name``; None when there is none."""
    match = PASTED_CONTROL_CHARACTER.search(value)
    if match is None:
        return None
    return (
        f"{name} contains the control character {match.group()!r} at position "
        f"{match.start() + 1}; remove it (it often comes with text pasted from a "
        "terminal)"
    )


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
