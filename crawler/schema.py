"""The tables of the page store (component ``pages``) and their one migration.

- ``pages``: one row per stored page, keyed by its normalised URL, with the
  version of the extractor that produced its title, breadcrumbs and text.
- ``page_aliases``: URLs that are not pages of their own: old URLs that redirect,
  URLs whose canonical link names another page, and URLs whose content duplicates a
  stored page. A crawl does not fetch an alias again as a new page.
- ``page_files``: PDF and other files linked from pages (not downloaded).
- ``crawl_runs`` and ``crawl_frontier``: the current crawl and its queue, with the
  outcome of every URL it handled.
- ``crawl_snapshots`` and the ``crawl_snapshot_*`` tables: a copy of ``pages``,
  ``page_aliases`` and ``page_files`` taken when a crawl run starts. A run whose
  losses exceed the removal guard restores that copy when it settles, so that it
  leaves the pages as they were before it (see ``PageStore.settle_run``).
"""

from __future__ import annotations

import logging

from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.exc import OperationalError

from cityline.errors import DataDirError

logger = logging.getLogger(__name__)

COMPONENT = "pages"
SCHEMA_VERSION = 1

metadata = MetaData()

pages_table = Table(
    "pages",
    metadata,
    Column("url", String, primary_key=True),
    Column("canonical_url", String, nullable=False),
    Column("title", Text, nullable=False, default=""),
    Column("breadcrumbs", Text, nullable=False, default="[]"),  # JSON list
    Column("text", Text, nullable=False, default=""),
    Column("page_number", String),
    Column("updated", String),  # ISO date printed by the CMS
    Column("encoding", String, nullable=False, default=""),
    Column("status", Integer, nullable=False),  # last HTTP status
    Column("content_hash", String, nullable=False, default="", index=True),
    Column("etag", String),
    Column("last_modified", String),
    Column("links", Text, nullable=False, default="[]"),  # JSON list of URLs
    Column("fetched_at", String, nullable=False),
    Column("changed_at", String, nullable=False),
    Column("removed", Boolean, nullable=False, default=False),
    # crawler.extract.EXTRACTOR_VERSION when the page was extracted. Stores written
    # before the column existed get it with the default 1 when opened, and so do rows
    # that such older releases insert, since their extractor was version 1.
    # NOTE: an older release that updates a stored page leaves this column as it
    # was, so after a downgrade and an upgrade, run `cityline crawl --refetch` once.
    Column("extractor_version", Integer, nullable=False, server_default=text("1")),
)

aliases_table = Table(
    "page_aliases",
    metadata,
    Column("url", String, primary_key=True),
    Column("target_url", String, nullable=False),
    Column("reason", String, nullable=False),  # redirect | canonical | duplicate
    Column("status", Integer),
    Column("seen_at", String, nullable=False),
)

files_table = Table(
    "page_files",
    metadata,
    Column("url", String, primary_key=True),
    Column("page_url", String, primary_key=True),
    Column("link_text", Text, nullable=False, default=""),
    Column("seen_at", String, nullable=False),
)

runs_table = Table(
    "crawl_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("start_url", String, nullable=False),
    Column("started_at", String, nullable=False),
    Column("finished_at", String),
    Column("seconds", Float, nullable=False, default=0.0),
)

frontier_table = Table(
    "crawl_frontier",
    metadata,
    Column("run_id", Integer, ForeignKey("crawl_runs.id"), primary_key=True),
    Column("url", String, primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("depth", Integer, nullable=False),
    Column("source", String, nullable=False),  # start | sitemap | known | link
    Column("pattern", String, nullable=False),
    Column("referrer", String),
    # queued, or the outcome: new | changed | unchanged | removed | failed |
    # robots | duplicate | redirect | file
    Column("state", String, nullable=False, default="queued"),
    Column("reason", Text),
)


def _snapshot_table(name: str, source: Table) -> Table:
    """Return a table with the columns and primary key of ``source``, no indexes."""
    columns = [
        Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
        for c in source.columns
    ]
    return Table(name, metadata, *columns)


# The run whose snapshot the crawl_snapshot_* tables contain; at most one row.
snapshots_table = Table(
    "crawl_snapshots",
    metadata,
    Column("run_id", Integer, primary_key=True),
    Column("taken_at", String, nullable=False),
)
SNAPSHOTS = (
    (pages_table, _snapshot_table("crawl_snapshot_pages", pages_table)),
    (aliases_table, _snapshot_table("crawl_snapshot_aliases", aliases_table)),
    (files_table, _snapshot_table("crawl_snapshot_files", files_table)),
)
snapshot_pages_table = SNAPSHOTS[0][1]
snapshot_aliases_table = SNAPSHOTS[1][1]

# Outcomes that end a frontier row; "queued" rows are still to be fetched.
OUTCOMES = (
    "new",
    "changed",
    "unchanged",
    "removed",
    "failed",
    "robots",
    "noindex",
    "duplicate",
    "redirect",
    "file",
)


def add_extractor_version_column(engine: Engine) -> None:
    """Add ``pages.extractor_version`` to a store written before it existed.

    The schema version stays 1, so older releases can still read the store. Raises
    DataDirError when the column cannot be added, as in a read-only file.
    """
    if has_extractor_version(engine):
        return
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "ALTER TABLE pages ADD COLUMN extractor_version INTEGER NOT NULL "
                "DEFAULT 1"
            )
    except OperationalError as exc:
        if has_extractor_version(engine):
            return  # another process added it first
        raise DataDirError(
            f"page store {str(engine.url.database)!r} predates extractor versions "
            f"and adding the extractor_version column failed ({exc.orig}); make the "
            "file and its folder writable and run again"
        ) from exc
    logger.info("added extractor_version to the pages of %s", engine.url.database)


def has_extractor_version(engine: Engine) -> bool:
    with engine.connect() as connection:
        columns = connection.exec_driver_sql("PRAGMA table_info(pages)").fetchall()
    return any(column[1] == "extractor_version" for column in columns)
