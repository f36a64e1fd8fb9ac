"""The copy of the pages a crawl run starts with, and its restore.

A run takes the snapshot when it starts (:func:`take_snapshot`). When its losses
exceed the removal guard, it restores the snapshot as it settles
(:func:`restore_snapshot`), and either way the snapshot is dropped when the run
finishes (:func:`drop_snapshot`). Each function runs in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from crawler.records import utc_now
from crawler.schema import (
    SNAPSHOTS,
    aliases_table,
    pages_table,
    snapshot_aliases_table,
    snapshot_pages_table,
    snapshots_table,
)


def take_snapshot(connection, run_id: int) -> None:
    """Copy the pages, aliases and file links to the snapshot tables of ``run_id``."""
    _copy_tables(connection, SNAPSHOTS)
    connection.execute(snapshots_table.delete())
    connection.execute(
        snapshots_table.insert().values(run_id=run_id, taken_at=utc_now())
    )


def restore_snapshot(connection) -> None:
    """Replace the pages, aliases and file links by their snapshot copies."""
    restore = [(copy, table) for table, copy in SNAPSHOTS]
    _copy_tables(connection, restore)


def drop_snapshot(connection) -> None:
    """Delete the snapshot copies and the row that names their run."""
    for _table, copy in SNAPSHOTS:
        connection.execute(copy.delete())
    connection.execute(snapshots_table.delete())


def has_snapshot(connection, run_id: int) -> bool:
    """Return whether the snapshot tables contain the state before run ``run_id``."""
    found = connection.execute(
        select(snapshots_table.c.run_id).where(snapshots_table.c.run_id == run_id)
    ).first()
    return found is not None


def snapshot_urls(connection) -> list[str]:
    """Return the URLs of the pages that were live when the snapshot was taken."""
    return list(
        connection.execute(
            select(snapshot_pages_table.c.url)
            .where(snapshot_pages_table.c.removed.is_(False))
            .order_by(snapshot_pages_table.c.url)
        ).scalars()
    )


def collapsed_pages(connection, before: Collection[str]) -> list[tuple[str, str]]:
    """Return (URL, target) of the ``before`` pages now merged into another page.

    ``PageStore.collapsed_pages`` states the rule.
    """
    before = set(before)
    live = _live_urls(connection)
    targets = dict(
        connection.execute(
            select(aliases_table.c.url, aliases_table.c.target_url)
        ).fetchall()
    )
    by_target: dict[str, list[str]] = {}
    for url in sorted(targets):
        if url in before and url not in live:
            by_target.setdefault(_final_target(url, targets), []).append(url)
    collapsed = []
    for target, urls in by_target.items():
        # A live page that was no page before is where the first of its URLs
        # moved. When the target is no live page (another host, a page gone),
        # all of them count as merged.
        moved = target in live and target not in before
        collapsed.extend((url, target) for url in (urls[1:] if moved else urls))
    return sorted(collapsed)


def _live_urls(connection) -> set[str]:
    return set(
        connection.execute(
            select(pages_table.c.url).where(pages_table.c.removed.is_(False))
        ).scalars()
    )


def _final_target(url: str, targets: dict[str, str]) -> str:
    """Return where the alias ``url`` leads after every alias on the way: a page
    that copies of one page redirect to is that page (/sorry/b -> /sorry/a)."""
    seen = {url}
    target = targets[url]
    while target in targets and target not in seen:
        seen.add(target)
        target = targets[target]
    return target


def moved_back(connection, gone: Collection[str]) -> set[str]:
    """Return the ``gone`` pages whose content is live again under a URL that was
    their alias when the run started: a section moved back from where a redirect
    had sent it, so the gone pages are no loss."""
    gone = set(gone)
    live = _live_urls(connection)
    rows = connection.execute(
        select(snapshot_aliases_table.c.url, snapshot_aliases_table.c.target_url)
    ).fetchall()
    return {target for url, target in rows if target in gone and url in live}


def _copy_tables(connection, pairs) -> None:
    """Replace the rows of each target table by those of its source table.

    ``pairs`` are (source, target) tables with the same column names.
    """
    for source, target in pairs:
        names = [column.name for column in target.columns]
        connection.execute(target.delete())
        columns = [source.c[name] for name in names]
        connection.execute(target.insert().from_select(names, select(*columns)))
