"""Helpers for one fetch result: where its page lives after the redirects, the
decoded and extracted page, and the hash of its content that finds copies."""

from __future__ import annotations

import hashlib

from crawler.decode import Decoded, decode_html
from crawler.extract import Extracted, extract_page

# Redirect statuses of a temporary move (RFC 9110): the page stays at its URL.
TEMPORARY_REDIRECTS = frozenset({302, 303, 307})


def page_home(
    url: str, final: str, redirects: list[tuple[str, int]]
) -> tuple[str, list[tuple[str, int]]]:
    """Return where the page fetched from ``url`` lives, and the permanent hops
    that moved it there.

    ``redirects`` are the (URL, status) hops from ``url`` to ``final``. The page
    follows permanent redirects (301, 308) and stops at the first temporary one,
    so 301 to /a then 302 to /a?sid=1 leaves it at /a. A maintenance notice, a
    URL with a session id or a stand-in address is not where a page lives.
    """
    home, moves = url, []
    for number, (hop, status) in enumerate(redirects):
        if status in TEMPORARY_REDIRECTS:
            break
        moves.append((hop, status))
        home = redirects[number + 1][0] if number + 1 < len(redirects) else final
    return home, [(hop, status) for hop, status in moves if hop != home]


def parse_page(
    body: bytes, content_type: str | None, url: str
) -> tuple[Decoded, Extracted]:
    """Decode an HTML body and extract its page."""
    decoded = decode_html(body, content_type)
    return decoded, extract_page(decoded.text, url)


def hash_content(extracted: Extracted) -> str:
    """Return the SHA-256 of the title and text: equal for a page and its copies."""
    digest = hashlib.sha256()
    digest.update(extracted.title.encode("utf-8"))
    digest.update(b"\n")
    digest.update(extracted.text.encode("utf-8"))
    return digest.hexdigest()
