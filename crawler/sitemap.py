"""Sitemap parsing: ``<urlset>`` pages and ``<sitemapindex>`` children, gzip or not."""

from __future__ import annotations

import gzip
import logging
import zlib
from dataclasses import dataclass, field
from xml.etree import ElementTree

logger = logging.getLogger(__name__)

# A sitemap may hold 50,000 URLs and 50 MB uncompressed (sitemaps.org protocol).
MAX_SITEMAP_BYTES = 50 * 1024 * 1024


@dataclass
class Sitemap:
    """The page URLs and child sitemap URLs one sitemap file lists."""

    pages: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)


def parse_sitemap(body: bytes) -> Sitemap:
    """Parse a sitemap or sitemap index; gzip bodies are unpacked first.

    Raises ValueError when the body is neither XML nor gzip-compressed XML.
    """
    if body[:2] == b"\x1f\x8b":
        try:
            body = gzip.decompress(body)[:MAX_SITEMAP_BYTES]
        except (OSError, EOFError, zlib.error) as exc:
            raise ValueError(f"invalid gzip data: {exc}") from exc
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise ValueError(f"invalid XML: {exc}") from exc

    result = Sitemap()
    kind = _local_name(root.tag)
    for entry in root:
        entry_kind = _local_name(entry.tag)
        loc = next(
            (child.text for child in entry if _local_name(child.tag) == "loc"), None
        )
        if not loc or not loc.strip():
            continue
        if kind == "sitemapindex" and entry_kind == "sitemap":
            result.sitemaps.append(loc.strip())
        elif kind == "urlset" and entry_kind == "url":
            result.pages.append(loc.strip())
    return result


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
