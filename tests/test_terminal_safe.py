"""Residents' texts printed to staff terminals as escapes, one line per field."""

from __future__ import annotations

import pytest

from cityline.terminal import terminal_safe


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
