"""The page store: one SQLite file with every crawled page and the crawl frontier.

The store is written by one process at a time (a crawl, or ``cityline pages`` when it
removes the pages of a host) and read by others (the index build, ``cityline
pages``). WAL mode lets readers work during a crawl. Every
page is written in one transaction together with its frontier row and the links it
adds, so a crawl killed at any moment leaves a consistent store that the next crawl
resumes from.

The tables and their migration are in :mod:`crawler.schema`.

:meth:`PageStore.open` may create and migrate the file. :meth:`PageStore.open_existing`
opens it read-only, for the commands that only read it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

from sqlalchemy import (
    Engine,
    func,
    select,
)

from cityline.db import (
    create_db_engine,
    ensure_schema,
    sqlite_url,
)
from crawler import frontier_rows, page_rows, snapshots
from crawler.errors import PageStoreError
from crawler.origin_rows import OriginRows, count_origin_rows, delete_origin_rows
from crawler.records import FrontierEntry, StoredPage, utc_now
from crawler.schema import (
    COMPONENT,
    SCHEMA_VERSION,
    add_extractor_version_column,
    aliases_table,
    files_table,
    frontier_table,
    has_extractor_version,
    metadata,
    pages_table,
    runs_table,
)
from crawler.store_file import (
    check_read_only_schema,
    name_damaged_file,
    read_only_engine,
)
from crawler.urls import origin

logger = logging.getLogger(__name__)


# Aliases that PageStore.get follows from one URL before it gives up.
MAX_ALIAS_HOPS = 10


def _reject_folder(path: Path) -> None:
    """Raise PageStoreError when the page store ``path`` is a folder."""
    if path.is_dir():
        raise PageStoreError(
            f"the page store {str(path)!r} is a folder, where a crawl keeps a "
            "SQLite file; move it away, then run `cityline crawl URL`"
        )


class PageStore:
    """Access to the page store file. Open it with :meth:`open`.

    Reading methods may run in any process. Writing methods belong to the one
    process that holds :func:`crawler.lock.writer_lock`. Each of them is one
    transaction.
    """

    def __init__(self, engine: Engine, path: Path) -> None:
        self.engine = engine
        self.path = path

    @classmethod
    def open(cls, path: Path) -> PageStore:
        """Open the store at ``path`` for writing, creating the file and tables.

        A store written before extractor versions were recorded gets the
        ``extractor_version`` column, 1 on every page. Raises DataDirError when the
        file cannot be created or written, PageStoreError when ``path`` is a
        folder, and SchemaVersionError when it was written by another schema
        version.
        """
        _reject_folder(Path(path))
        engine = create_db_engine(sqlite_url(Path(path)))
        name_damaged_file(engine, Path(path))
        ensure_schema(engine, COMPONENT, metadata, SCHEMA_VERSION)
        add_extractor_version_column(engine)
        return cls(engine, Path(path))

    @classmethod
    def open_existing(cls, path: Path) -> PageStore:
        """Open the store at ``path`` read-only; it writes nothing to the data dir.

        Works on a read-only copy of the data dir too. A store that predates
        extractor versions is opened with :meth:`open` instead, which adds the
        column. Raises PageStoreError when ``path`` is not a file, as in a data dir
        that no crawl has written to, or is not a page store, and
        SchemaVersionError when it was written by another schema version.
        """
        path = Path(path)
        _reject_folder(path)
        if not path.is_file():
            raise PageStoreError(
                f"no page store at {str(path)!r}; run `cityline crawl URL` first, or "
                "check --data-dir"
            )
        engine = read_only_engine(path)
        name_damaged_file(engine, path)
        try:
            check_read_only_schema(engine, path)
            current = has_extractor_version(engine)
        finally:
            engine.dispose()
        if not current:
            return cls.open(path)
        return cls(engine, path)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> PageStore:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # Reading -----------------------------------------------------------------

    def iter_pages(self, include_removed: bool = False) -> Iterator[StoredPage]:
        """Yield stored pages ordered by URL; removed pages only if asked."""
        query = select(pages_table).order_by(pages_table.c.url)
        if not include_removed:
            query = query.where(pages_table.c.removed.is_(False))
        with self.engine.connect() as connection:
            rows = connection.execute(query).fetchall()
        for row in rows:
            yield page_rows.page_from_row(row)

    def get(self, url: str) -> StoredPage | None:
        """Return the page stored under ``url``, or under the page it aliases.

        Aliases of aliases are followed (an old URL that redirected to a URL
        that later redirected again), up to MAX_ALIAS_HOPS.
        """
        seen = set()
        with self.engine.connect() as connection:
            while url not in seen and len(seen) <= MAX_ALIAS_HOPS:
                seen.add(url)
                row = connection.execute(
                    select(pages_table).where(pages_table.c.url == url)
                ).first()
                if row is not None:
                    return page_rows.page_from_row(row)
                url = connection.execute(
                    select(aliases_table.c.target_url).where(aliases_table.c.url == url)
                ).scalar_one_or_none()
                if url is None:
                    return None
        return None

    def get_by_canonical(self, canonical_url: str) -> StoredPage | None:
        """Return the page whose canonical URL is ``canonical_url``, or None.

        The canonical URL is what the index and ``cityline ask`` show. It differs
        from the stored URL when the page's canonical link points off the crawl
        scope. Of several such pages, the one with the first URL is returned, which is
        the one the index links to.
        """
        with self.engine.connect() as connection:
            row = connection.execute(
                select(pages_table)
                .where(pages_table.c.canonical_url == canonical_url)
                .order_by(pages_table.c.url)
                .limit(1)
            ).first()
        return None if row is None else page_rows.page_from_row(row)

    def count_by_status(self) -> dict[str, int]:
        """Count stored pages by state.

        Keys: ``pages`` (stored and not removed), ``removed``, ``aliases``,
        ``files``, and ``http_<status>`` for each last HTTP status seen on the
        pages not removed. A page removed for noindex or as a soft 404 was last
        seen with status 200, so removed pages count under ``removed`` alone.
        """
        with self.engine.connect() as connection:
            by_removed = dict(
                connection.execute(
                    select(pages_table.c.removed, func.count()).group_by(
                        pages_table.c.removed
                    )
                ).fetchall()
            )
            by_http = connection.execute(
                select(pages_table.c.status, func.count())
                .where(pages_table.c.removed.is_(False))
                .group_by(pages_table.c.status)
                .order_by(pages_table.c.status)
            ).fetchall()
            aliases = connection.execute(
                select(func.count()).select_from(aliases_table)
            ).scalar_one()
            files = connection.execute(
                select(func.count(func.distinct(files_table.c.url)))
            ).scalar_one()
        live = sum(n for removed, n in by_removed.items() if not removed)
        counts = {
            "pages": live,
            "removed": sum(by_removed.values()) - live,
            "aliases": aliases,
            "files": files,
        }
        for status, count in by_http:
            counts[f"http_{status}"] = count
        return counts

    def count_by_extractor_version(self) -> dict[int, int]:
        """Count the stored pages that are not removed, per extractor version."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(pages_table.c.extractor_version, func.count())
                .where(pages_table.c.removed.is_(False))
                .group_by(pages_table.c.extractor_version)
            ).fetchall()
        return dict(rows)

    def count_pages(self) -> int:
        """Return the number of stored pages that are not removed."""
        return self.count_by_status()["pages"]

    def alias_target(self, url: str) -> str | None:
        """Return the page URL that ``url`` is an alias of, or None."""
        with self.engine.connect() as connection:
            return connection.execute(
                select(aliases_table.c.target_url).where(aliases_table.c.url == url)
            ).scalar_one_or_none()

    def find_by_hash(
        self,
        content_hash: str,
        other_than: Collection[str],
        run_id: int | None = None,
        accept: Callable[[str], bool] | None = None,
    ) -> str | None:
        """Return the URL of a live page with ``content_hash`` not in ``other_than``.

        Pages that run ``run_id`` found gone (see :meth:`pending_removals`) do not
        count, so a page that moved to a new URL is stored there. Neither do URLs
        for which ``accept`` returns false.
        """
        query = (
            select(pages_table.c.url)
            .where(pages_table.c.content_hash == content_hash)
            .where(pages_table.c.url.not_in(list(other_than)))
            .where(pages_table.c.removed.is_(False))
        )
        if run_id is not None:
            gone = (
                select(frontier_table.c.url)
                .where(frontier_table.c.run_id == run_id)
                .where(frontier_table.c.state == "removed")
            )
            query = query.where(pages_table.c.url.not_in(gone))
        with self.engine.connect() as connection:
            urls = connection.execute(query.order_by(pages_table.c.url)).scalars()
            return next((url for url in urls if accept is None or accept(url)), None)

    def known_urls(self) -> list[str]:
        """Return the URLs of stored pages that are not removed."""
        with self.engine.connect() as connection:
            return list(
                connection.execute(
                    select(pages_table.c.url)
                    .where(pages_table.c.removed.is_(False))
                    .order_by(pages_table.c.url)
                ).scalars()
            )

    def files(self) -> list[dict]:
        """Return the recorded file links: ``url``, ``page_url``, ``link_text``."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(files_table).order_by(files_table.c.url)
            ).fetchall()
        return [
            {"url": r.url, "page_url": r.page_url, "link_text": r.link_text}
            for r in rows
        ]

    def aliases_seen_by(self, cutoff: str, reasons: Collection[str]) -> list[str]:
        """Return the URLs of aliases with one of ``reasons`` last seen by ``cutoff``.

        ``cutoff`` is an ISO 8601 UTC time as :func:`utc_now` writes it, and an
        alias seen at ``cutoff`` itself is included.
        """
        with self.engine.connect() as connection:
            return list(
                connection.execute(
                    select(aliases_table.c.url)
                    .where(aliases_table.c.reason.in_(list(reasons)))
                    .where(aliases_table.c.seen_at <= cutoff)
                    .order_by(aliases_table.c.url)
                ).scalars()
            )

    def relinkable_aliases(self, temporary: Collection[int]) -> set[str]:
        """Return the alias URLs that a link may queue again: those of redirects,
        and duplicates found through a redirect with a status in ``temporary``."""
        with self.engine.connect() as connection:
            return set(
                connection.execute(
                    select(aliases_table.c.url).where(
                        (aliases_table.c.reason == "redirect")
                        | aliases_table.c.status.in_(list(temporary))
                    )
                ).scalars()
            )

    def aliases(self) -> dict[str, tuple[str, str]]:
        """Return every alias: URL -> (target URL, reason)."""
        with self.engine.connect() as connection:
            rows = connection.execute(select(aliases_table)).fetchall()
        return {r.url: (r.target_url, r.reason) for r in rows}

    def put_page(self, page: StoredPage) -> None:
        """Insert or update one page outside a crawl, as fixtures and imports do."""
        with self.engine.begin() as connection:
            page_rows.upsert_page(connection, page)

    # Removing the pages of an origin ------------------------------------------

    def count_by_origin(self) -> dict[str, int]:
        """Count the stored pages, removed ones included, per origin ``scheme://host``.

        Origins are ordered by name; ``host`` includes a port other than the
        scheme's default.
        """
        with self.engine.connect() as connection:
            urls = connection.execute(select(pages_table.c.url)).scalars().all()
        counts: dict[str, int] = {}
        for url in urls:
            key = origin(url)
            counts[key] = counts.get(key, 0) + 1
        return dict(sorted(counts.items()))

    def origin_rows(self, origins: Collection[str]) -> OriginRows:
        """Return what :meth:`remove_origins` would delete for ``origins``."""
        with self.engine.connect() as connection:
            return count_origin_rows(connection, tuple(origins))

    def remove_origins(self, origins: Collection[str]) -> OriginRows:
        """Delete the rows that :meth:`origin_rows` counts, in one transaction.

        Pages of other origins stay as they are, and so do their file links, even
        those that point to a removed origin. An alias of another origin that
        pointed to a removed page is deleted, so the next crawl fetches its URL
        as a page. A failure or a crash midway deletes nothing. Returns the counts
        taken inside the transaction.
        """
        origins = tuple(origins)
        with self.engine.begin() as connection:
            rows = count_origin_rows(connection, origins)
            delete_origin_rows(connection, origins)
        logger.info(
            "removed the rows of %s from %s: pages %d, aliases %d, file links %d, "
            "frontier URLs %d",
            ", ".join(origins),
            self.path,
            len(rows.page_urls),
            rows.aliases,
            rows.files,
            rows.frontier,
        )
        return rows

    # Crawl runs and the frontier ----------------------------------------------

    def unfinished_run(self) -> tuple[int, str] | None:
        """Return (run id, start URL) of the latest crawl if it did not finish."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(runs_table).order_by(runs_table.c.id.desc()).limit(1)
            ).first()
        if row is None or row.finished_at is not None:
            return None
        return row.id, row.start_url

    def start_run(self, start_url: str, seeds: list[FrontierEntry] = ()) -> int:
        """Begin a new crawl run with ``seeds`` queued; return its id.

        The frontier of earlier runs is dropped, and the pages, aliases and file
        links are copied to the snapshot tables for :meth:`settle_run`. One
        transaction covers it all, so an interrupted start leaves either no new run
        or one with every seed and its snapshot.
        """
        with self.engine.begin() as connection:
            connection.execute(frontier_table.delete())
            result = connection.execute(
                runs_table.insert().values(start_url=start_url, started_at=utc_now())
            )
            run_id = result.inserted_primary_key[0]
            frontier_rows.enqueue(connection, run_id, seeds)
            snapshots.take_snapshot(connection, run_id)
            return run_id

    def has_snapshot(self, run_id: int) -> bool:
        """Return whether the snapshot tables contain the state before run ``run_id``.

        A run that an older release started and this one resumes has none.
        """
        with self.engine.connect() as connection:
            return snapshots.has_snapshot(connection, run_id)

    def snapshot_urls(self) -> list[str]:
        """Return the URLs of the pages that were live when the snapshot was taken."""
        with self.engine.connect() as connection:
            return snapshots.snapshot_urls(connection)

    def collapsed_pages(self, before: Collection[str]) -> list[tuple[str, str]]:
        """Return (URL, target) of the ``before`` pages now merged into another page.

        ``before`` are the URLs of the pages that were live when the run started. A
        page is merged when its URL is now an alias (redirect, canonical or
        duplicate) and no page of its own. Its target is followed through other
        aliases to where they lead. A live page that was no page before the run
        is where one page moved to, so one of the URLs leading to it, the first
        by URL, is a move and is left out. The others lost their page to it. When
        the target is no live page, such as a URL on another host, all of them
        count as merged.
        """
        with self.engine.connect() as connection:
            return snapshots.collapsed_pages(connection, before)

    def moved_back(self, gone: Collection[str]) -> set[str]:
        """Return the ``gone`` URLs whose page is live again under a URL that was
        their alias when the run started (see :func:`snapshots.moved_back`)."""
        with self.engine.connect() as connection:
            return snapshots.moved_back(connection, gone)

    def settle_run(self, run_id: int, seconds: float, *, keep: bool) -> None:
        """Finish a crawl run, adding ``seconds`` to its duration, in one transaction.

        With ``keep`` false, the pages the run found gone are marked removed (see
        :meth:`pending_removals`). With ``keep`` true, the pages, aliases and file
        links are restored from the snapshot the run started with, so the run
        leaves them as they were before it. A run without a snapshot (one that an
        older release started) then only leaves its gone pages live. Either way the
        snapshot is dropped.
        """
        with self.engine.begin() as connection:
            if keep:
                if snapshots.has_snapshot(connection, run_id):
                    snapshots.restore_snapshot(connection)
            else:
                frontier_rows.apply_removals(connection, run_id)
            self._finish(connection, run_id, seconds)

    def finish_run(self, run_id: int, seconds: float) -> None:
        """Mark a crawl run finished, as writers outside a crawl do.

        Adds ``seconds`` to its duration and drops its snapshot. Pages found gone
        stay live; :meth:`settle_run` is how a crawl finishes.
        """
        with self.engine.begin() as connection:
            self._finish(connection, run_id, seconds)

    def _finish(self, connection, run_id: int, seconds: float) -> None:
        snapshots.drop_snapshot(connection)
        connection.execute(
            runs_table.update()
            .where(runs_table.c.id == run_id)
            .values(finished_at=utc_now(), seconds=runs_table.c.seconds + seconds)
        )

    def add_run_seconds(self, run_id: int, seconds: float) -> None:
        """Add ``seconds`` to the duration of an interrupted run."""
        with self.engine.begin() as connection:
            connection.execute(
                runs_table.update()
                .where(runs_table.c.id == run_id)
                .values(seconds=runs_table.c.seconds + seconds)
            )

    def run_seconds(self, run_id: int) -> float:
        """Return the seconds a run has taken, over all its resumed parts."""
        with self.engine.connect() as connection:
            return connection.execute(
                select(runs_table.c.seconds).where(runs_table.c.id == run_id)
            ).scalar_one()

    def frontier_rows(self, run_id: int) -> list:
        """Return every frontier row of a run, in queue order."""
        with self.engine.connect() as connection:
            return connection.execute(
                select(frontier_table)
                .where(frontier_table.c.run_id == run_id)
                .order_by(frontier_table.c.seq)
            ).fetchall()

    def outcome_counts(self, run_id: int) -> dict[str, int]:
        """Count the frontier rows of a run by state."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(frontier_table.c.state, func.count())
                .where(frontier_table.c.run_id == run_id)
                .group_by(frontier_table.c.state)
            ).fetchall()
        return dict(rows)

    def failures(self, run_id: int, state: str = "failed") -> list[tuple[str, str]]:
        """Return (URL, reason) of every URL of a run in ``state``: the failed
        URLs, or with ``gone`` the URLs of pages removed before that are still
        not found."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(frontier_table.c.url, frontier_table.c.reason)
                .where(frontier_table.c.run_id == run_id)
                .where(frontier_table.c.state == state)
                .order_by(frontier_table.c.seq)
            ).fetchall()
        return [(r.url, r.reason or "") for r in rows]

    def pending_removals(self, run_id: int) -> list[tuple[str, int, str]]:
        """Return (URL, HTTP status, why) of the live pages that run ``run_id`` found
        gone; ``why`` reads as ``HTTP 410``, ``noindex`` or ``soft 404: ...``.

        A crawl records a gone page as a frontier row in state ``removed`` and
        leaves the page live until :meth:`settle_run` finishes the run, so that
        the crawl can keep every page when too many are gone at once.
        """
        with self.engine.connect() as connection:
            return frontier_rows.pending_removals(connection, run_id)

    def enqueue(self, run_id: int, entries: list[FrontierEntry]) -> None:
        """Add queued URLs to the frontier; URLs already in it are left alone."""
        if not entries:
            return
        with self.engine.begin() as connection:
            frontier_rows.enqueue(connection, run_id, entries)

    def record_outcome(
        self,
        run_id: int,
        url: str,
        state: str,
        *,
        reason: str | None = None,
        page: StoredPage | None = None,
        aliases: list[tuple[str, str, str, int | None]] = (),
        files: list[tuple[str, str, str]] = (),
        enqueue: list[FrontierEntry] = (),
        done_urls: list[tuple[str, str]] = (),
        removed_url: str | None = None,
        removed_why: str | None = None,
        status: int | None = None,
        touch_url: str | None = None,
    ) -> None:
        """Write everything one fetched URL produced, in one transaction.

        - ``state`` becomes the outcome of ``url`` in the frontier.
        - ``page`` is inserted or updated.
        - ``aliases`` are (url, target, reason, status) tuples.
        - ``files`` are (file URL, page URL, link text) tuples.
        - ``enqueue`` adds URLs to the frontier.
        - ``done_urls`` are (url, state) pairs of other frontier URLs that this
          fetch settled, such as the final URL of a redirect.
        - ``removed_url`` records that page as gone with ``status``: its frontier
          row gets state ``removed``, and :meth:`settle_run` marks the page
          removed unless the removal guard keeps every page. ``removed_why``
          says why when the status does not (noindex, a soft 404 page).
        - ``touch_url`` updates the fetch time of an unchanged page.
        """
        now = utc_now()
        with self.engine.begin() as connection:
            if page is not None:
                page_rows.upsert_page(connection, page)
                page_rows.delete_alias(connection, page.url)
            if touch_url is not None:
                page_rows.touch_page(connection, touch_url, status or 200, now)
            for alias_url, target, alias_reason, alias_status in aliases:
                if alias_url == target:
                    continue
                page_rows.upsert_alias(
                    connection, alias_url, target, alias_reason, alias_status, now
                )
            for file_url, page_url, text in files:
                page_rows.upsert_file(connection, file_url, page_url, text, now)
            frontier_rows.enqueue(connection, run_id, list(enqueue))
            frontier_rows.set_state(connection, run_id, url, state, reason)
            for other_url, other_state in done_urls:
                frontier_rows.set_state(
                    connection, run_id, other_url, other_state, None
                )
            if removed_url is not None:
                frontier_rows.record_gone(
                    connection, run_id, removed_url, status, removed_why
                )
