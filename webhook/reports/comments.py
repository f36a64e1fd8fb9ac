"""A resident's description and comment of a report: tidied, cut and joined.

Limits count UTF-16 code units, as LINE does (see :mod:`webhook.limits`).
"""

from __future__ import annotations

import re

from webhook.limits import truncate, utf16_length
from webhook.reports.models import Draft

MAX_COMMENT_CHARS = 1000
# In a description or comment, a run of spaces becomes one space and blank lines
# are dropped, so padding does not push the resident's words past MAX_COMMENT_CHARS.
_SPACE_RUN = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n(\s*\n)+")


def append_comment(draft: Draft, addition: str) -> bool:
    """Add ``addition`` on a line of its own after the draft's comment, cut to
    MAX_COMMENT_CHARS; return True when the cut dropped part of it."""
    combined = f"{draft.comment}\n{addition}" if draft.comment else addition
    draft.comment = truncate(combined, MAX_COMMENT_CHARS)
    return utf16_length(combined) > MAX_COMMENT_CHARS


def clean_comment(text: str) -> str:
    """Cut space runs and blank lines from a resident's text, then truncate it.

    The limit is MAX_COMMENT_CHARS UTF-16 code units, as ``truncate`` counts.
    """
    return truncate(_tidy(text), MAX_COMMENT_CHARS)


def comment_is_cut(text: str) -> bool:
    """Tell whether :func:`clean_comment` drops part of ``text``."""
    return utf16_length(_tidy(text)) > MAX_COMMENT_CHARS


def _tidy(text: str) -> str:
    text = _SPACE_RUN.sub(" ", text.strip())
    return _BLANK_LINES.sub("\n", text)
