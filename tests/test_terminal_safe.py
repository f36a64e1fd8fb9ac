"""Residents' texts printed to staff terminals as escapes, one line per field."""

from __future__ import annotations

import json

import pytest

from cityline.terminal import json_text, terminal_safe


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("道路に穴", "道路に穴"),
        ("穴\x1b[2J", "穴\\x1b[2J"),
        ("穴\x1b]0;HACKED\x07", "穴\\x1b]0;HACKED\\x07"),
        ("穴\nstatus: resolved", "穴\\nstatus: resolved"),
        ("a\tb\r", "a\\tb\\x0d"),
        ("逆\u202eさま", "逆\\u202eさま"),
        ("\x9b31m", "\\x9b31m"),
    ],
)
def test_controls_become_escapes(text, shown):
    assert terminal_safe(text) == shown


@pytest.mark.parametrize(
    "text",
    ["道路に穴", "穴\x1b[2J", "逆\u202eさま", "\x9b31m", "a\u2066b\u2069\x7f"],
)
def test_json_text_escapes_marks_and_decodes_back(text):
    shown = json_text({"comment": text})
    assert json.loads(shown) == {"comment": text}
    assert shown.isprintable()
