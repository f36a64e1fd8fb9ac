"""The rows of the page store that belong to some origins, and their deletion.

``cityline pages --remove-host`` and ``--remove-other-hosts`` count these rows with
``PageStore.origin_rows`` and delete them with ``PageStore.remove_origins``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import false, func, or_, select

from crawler.schema import (
    SNAPSHOTS,
    aliases_table,
    files_table,
    frontier_table,
    pages_table,
)


@dataclass(frozen=True)
class OriginRows:
    """The rows of the page store that belong to some origins (``scheme://host``).

    ``page_urls`` lists the stored pages on those origins, removed ones included,
    and ``live_pages`` counts those that are not removed. ``aliases`` counts the
    aliases on those origins or pointing to their pages, ``files`` the file links
    found on their pages, and ``frontier`` the crawl frontier rows of their URLs.
    """

    origins: tuple[str, ...]
    page_urls: list[str]
    live_pages: int
    aliases: int
    files: int
    frontier: int


def _on_origins(column, origins: tuple[str, ...]):
    """Return a condition true where ``column`` contains a URL on one of ``origins``.

    Stored URLs are normalised, so each starts with its origin and a ``/``, and a
    prefix test on that string matches exactly that origin. It is false for no
    origins.
    """
    if not origins:
        return false()
    return or_(
        *(func.substr(column, 1, len(item) + 1) == f"{item}/" for item in origins)
    )


def count_origin_rows(connection, origins: tuple[str, ...]) -> OriginRows:
    """Count the rows of ``origins`` that :func:`delete_origin_rows` deletes."""
    on_pages = _on_origins(pages_table.c.url, origins)
    pages = connection.execute(
        select(pages_table.c.url, pages_table.c.removed)
        .where(on_pages)
        .order_by(pages_table.c.url)
    ).fetchall()
    aliases = connection.execute(
        select(func.count())
        .select_from(aliases_table)
        .where(
            or_(
                _on_origins(aliases_table.c.url, origins),
                _on_origins(aliases_table.c.target_url, origins),
            )
        )
    ).scalar_one()
    files = connection.execute(
        select(func.count())
        .select_from(files_table)
        .where(_on_origins(files_table.c.page_url, origins))
    ).scalar_one()
    frontier = connection.execute(
        select(func.count())
        .select_from(frontier_table)
        .where(_on_origins(frontier_table.c.url, origins))
    ).scalar_one()
    return OriginRows(
        origins=origins,
        page_urls=[row.url for row in pages],
        live_pages=sum(1 for row in pages if not row.removed),
        aliases=aliases,
        files=files,
        frontier=frontier,
    )


def delete_origin_rows(connection, origins: tuple[str, ...]) -> None:
    """Delete the rows of ``origins`` from the tables and their snapshot copies.

    Runs in the caller's transaction, so a failure midway deletes nothing.
    """
    alias_urls = aliases_table.c.url
    targets = aliases_table.c.target_url
    connection.execute(
        pages_table.delete().where(_on_origins(pages_table.c.url, origins))
    )
    connection.execute(
        aliases_table.delete().where(
            or_(_on_origins(alias_urls, origins), _on_origins(targets, origins))
        )
    )
    connection.execute(
        files_table.delete().where(_on_origins(files_table.c.page_url, origins))
    )
    connection.execute(
        frontier_table.delete().where(_on_origins(frontier_table.c.url, origins))
    )
    # A resumed crawl that restores its snapshot must not bring them back.
    snapshot_pages, snapshot_aliases, snapshot_files = (
        copy for _table, copy in SNAPSHOTS
    )
    connection.execute(
        snapshot_pages.delete().where(_on_origins(snapshot_pages.c.url, origins))
    )
    connection.execute(
        snapshot_aliases.delete().where(
            or_(
                _on_origins(snapshot_aliases.c.url, origins),
                _on_origins(snapshot_aliases.c.target_url, origins),
            )
        )
    )
    connection.execute(
        snapshot_files.delete().where(_on_origins(snapshot_files.c.page_url, origins))
    )
