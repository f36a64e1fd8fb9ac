"""The records a crawl reads from and writes to the page store.

:class:`StoredPage` is a row of ``pages``, :class:`FrontierEntry` a queued row of
``crawl_frontier``, and :func:`utc_now` the time format of every timestamp column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

# An alias as PageStore.record_outcome takes it: (URL, target URL, reason, HTTP
# status or None).
AliasRow = tuple[str, str, str, int | None]


def utc_now() -> str:
    """Return the current UTC time as an ISO 8601 string with seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class StoredPage:
    """One page in the store.

    ``status`` is the last HTTP status, ``updated`` the update date the CMS prints
    (ISO ``YYYY-MM-DD``) or None, and ``content_hash`` the SHA-256 of title and
    text. ``removed`` is true once a crawl found that the site returned 404 or
    410 for the page, or that its robots meta tag asked for noindex, and applied
    its removals (see :meth:`PageStore.settle_run`). ``extractor_version`` is the
    ``crawler.extract.EXTRACTOR_VERSION`` that produced title, breadcrumbs and
    text, and 1 for pages stored before versions were recorded.
    """

    url: str
    canonical_url: str
    title: str
    breadcrumbs: list[str]
    text: str
    page_number: str | None
    updated: str | None
    encoding: str
    status: int
    content_hash: str
    fetched_at: str
    changed_at: str
    removed: bool = False
    etag: str | None = None
    last_modified: str | None = None
    links: list[str] = field(default_factory=list)
    extractor_version: int = 1

    def to_json(self) -> dict:
        """Return the page as a JSON-ready dict."""
        return {
            "url": self.url,
            "canonical_url": self.canonical_url,
            "title": self.title,
            "breadcrumbs": self.breadcrumbs,
            "text": self.text,
            "page_number": self.page_number,
            "updated": self.updated,
            "encoding": self.encoding,
            "status": self.status,
            "content_hash": self.content_hash,
            "etag": self.etag,
            "last_modified": self.last_modified,
            "fetched_at": self.fetched_at,
            "changed_at": self.changed_at,
            "removed": self.removed,
            "links": self.links,
            "extractor_version": self.extractor_version,
        }


@dataclass
class FrontierEntry:
    """A URL waiting in the crawl frontier."""

    url: str
    seq: int
    depth: int
    source: str
    pattern: str
    referrer: str | None = None
